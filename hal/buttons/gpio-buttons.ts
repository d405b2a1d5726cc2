/**
 * The confirm and refuse buttons on two GPIO inputs through `onoff` (sysfs GPIO, both edges
 * watched), debounced in software so the timing is tested with virtual timers.
 *
 * Lines are offsets on the header chip as for the LEDs (gpio-chip-base.ts resolves the sysfs
 * number). Buttons usually pull the line to ground when pressed, with the pull-up enabled
 * (`activeLow: true`); `onoff` then inverts the value so 1 always means pressed. A line that
 * cannot be had stops the start-up with one line saying which one and what to do; a read error
 * later is a `fault`, never a crash.
 * @module
 */
import { EventEmitter } from 'node:events';
import { findGpioChip, sysfsGpioNumber, type GpioChip } from '../indicator/gpio-chip-base.js';
import { realTimers, type Timers } from '../indicator/pattern-player.js';
import { oneLine } from '../../firmware-ts/core/text-safety.js';
import { BUTTON_NAMES, ButtonsError, type ButtonName, type Buttons, type ButtonsEvents } from './buttons.js';
import { Debouncer } from './debouncer.js';

/** One input line, as `onoff`'s Gpio offers it; tests inject a double. */
export interface GpioInputLine {
  /** 1 when pressed (the active level). */
  readSync(): 0 | 1;
  /** Called on every edge with the level after it. */
  watch(callback: (err: Error | null | undefined, value: 0 | 1) => void): void;
  unwatchAll(): void;
  unexport(): void;
}

/** Opens sysfs GPIO `gpio` as an input watched on both edges. */
export type GpioInputFactory = (gpio: number, opts: { activeLow: boolean }) => GpioInputLine | Promise<GpioInputLine>;

export interface GpioButtonsOptions {
  /** Line offsets on the header chip; null when that button is not fitted. */
  lines: Record<ButtonName, number | null>;
  chipLabel: string | null;
  /** Pressed pulls the line low. */
  activeLow: boolean;
  /** How long a level must hold still to count, ms. */
  debounceMs: number;
  /** Held longer than this is reported as a fault (once per hold), ms; 0 never. */
  stuckMs: number;
  sysfsRoot?: string;
  gpioFactory?: GpioInputFactory;
  timers?: Timers;
}

/** The real factory: `onoff`, loaded only when buttons are fitted. */
export const onoffInputFactory: GpioInputFactory = async (gpio, { activeLow }) => {
  const { Gpio } = await import('onoff');
  return new Gpio(gpio, 'in', 'both', { activeLow }) as unknown as GpioInputLine;
};

function describeGpioError(err: unknown): string {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied: add the service user to the gpio group';
  if (code === 'EBUSY') return 'line busy: claimed by another driver or program (an LED on the same line?)';
  if (code === 'ENOENT') return 'sysfs GPIO not available on this system';
  if (code === 'EINVAL') return 'invalid line for this chip';
  return oneLine(err instanceof Error ? err.message : err, 160);
}

export class GpioButtons extends EventEmitter<ButtonsEvents> implements Buttons {
  readonly name = 'gpio';
  private readonly timers: Timers;
  private readonly open_: Partial<Record<ButtonName, { line: GpioInputLine; debouncer: Debouncer }>> = {};
  private opened = false;
  private chip: GpioChip | null = null;

  constructor(private readonly opts: GpioButtonsOptions) {
    super();
    this.timers = opts.timers ?? realTimers;
    const [a, b] = [opts.lines.confirm, opts.lines.refuse];
    if (a !== null && a === b) throw new ButtonsError(`GPIO buttons: confirm and refuse are both on line ${a}`);
  }

  get resolvedChip(): GpioChip | null {
    return this.chip;
  }

  async open(): Promise<void> {
    if (this.opened) return;
    const factory = this.opts.gpioFactory ?? onoffInputFactory;
    let chip: GpioChip;
    try {
      chip = findGpioChip(this.opts.chipLabel, this.opts.sysfsRoot);
    } catch (err) {
      throw new ButtonsError(`GPIO buttons: ${(err as Error).message}`);
    }
    this.chip = chip;
    for (const button of BUTTON_NAMES) {
      const offset = this.opts.lines[button];
      if (offset === null) continue;
      let gpio: number | null = null;
      try {
        gpio = sysfsGpioNumber(chip, offset);
        const line = await factory(gpio, { activeLow: this.opts.activeLow });
        const debouncer = new Debouncer(
          {
            debounceMs: this.opts.debounceMs,
            stuckMs: this.opts.stuckMs,
            timers: this.timers,
            onPress: (atMs) => {
              if (this.opened) this.emit('press', { button, atMs });
            },
            onStuck: (heldMs) => this.fault(button, `held down for more than ${heldMs} ms (stuck?)`),
          },
          line.readSync() === 1 ? 1 : 0,
        );
        this.open_[button] = { line, debouncer };
        line.watch((err, value) => {
          if (err) return this.fault(button, `read failed: ${describeGpioError(err)}`);
          debouncer.level(value === 1 ? 1 : 0);
        });
      } catch (err) {
        this.releaseAll();
        const where = gpio === null ? '' : ` (sysfs gpio ${gpio})`;
        const why = gpio === null ? (err as Error).message : describeGpioError(err);
        throw new ButtonsError(`GPIO line ${offset}${where} for the ${button} button on ${chip.label}: ${why}`);
      }
    }
    this.opened = true;
  }

  async close(): Promise<void> {
    this.opened = false;
    this.releaseAll();
  }

  private releaseAll(): void {
    for (const button of Object.keys(this.open_) as ButtonName[]) {
      const { line, debouncer } = this.open_[button]!;
      delete this.open_[button];
      debouncer.stop();
      try {
        line.unwatchAll();
        line.unexport();
      } catch {
        // Releasing is best effort: the process is stopping.
      }
    }
  }

  private fault(button: ButtonName, message: string): void {
    if (this.opened) this.emit('fault', { button, message: oneLine(message, 200) });
  }
}
