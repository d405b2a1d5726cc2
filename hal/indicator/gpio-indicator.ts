/**
 * LEDs and buzzer on GPIO lines through `onoff` (sysfs GPIO).
 *
 * Lines are named in configuration by their offset on the header chip (BCM numbering: GPIO17
 * is 17); the sysfs number is resolved from the chip's base (see gpio-chip-base.ts). With no
 * amber line, amber is shown as green and red together (a bicolour LED). A line that cannot be
 * had stops the start-up with one line saying which one and what to do.
 * @module
 */
import { IndicatorBase, IndicatorError, type IndicatorBaseOptions } from './indicator.js';
import { findGpioChip, sysfsGpioNumber, type GpioChip } from './gpio-chip-base.js';
import { lineStates, type IndicatorOutput, type OutputLine } from './patterns.js';
import { oneLine } from '../../firmware-ts/core/text-safety.js';

/** One output line, as `onoff`'s Gpio offers it; tests inject a recording double. */
export interface GpioLine {
  writeSync(value: 0 | 1): void;
  unexport(): void;
}

/** Opens sysfs GPIO `gpio` as an output that starts inactive. */
export type GpioFactory = (gpio: number, opts: { activeLow: boolean }) => GpioLine | Promise<GpioLine>;

export type GpioRole = OutputLine;

export interface GpioIndicatorOptions extends IndicatorBaseOptions {
  /** Line offsets on the header chip; null when not fitted. */
  lines: Record<GpioRole, number | null>;
  /** Label of the gpiochip (e.g. "pinctrl-bcm2711"); null picks the Raspberry Pi header chip. */
  chipLabel: string | null;
  /** LEDs light when the line is low. */
  activeLow: boolean;
  /** The buzzer sounds when its line is low (many buzzer modules do); null: as `activeLow`. */
  buzzerActiveLow: boolean | null;
  /** Root of sysfs, for a fake tree in tests. */
  sysfsRoot?: string;
  /** Opens a line; `onoff` by default. */
  gpioFactory?: GpioFactory;
}

/** The real factory: `onoff`, loaded only when GPIO is actually used. */
export const onoffFactory: GpioFactory = async (gpio, { activeLow }) => {
  const { Gpio } = await import('onoff');
  // "high"/"low" set the raw level: start at the inactive level so nothing flashes at boot.
  return new Gpio(gpio, activeLow ? 'high' : 'low', undefined, { activeLow });
};

function describeGpioError(err: unknown): string {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied: add the service user to the gpio group';
  if (code === 'EBUSY') return 'line busy: claimed by another driver or program (check dtoverlay and other services)';
  if (code === 'ENOENT') return 'sysfs GPIO not available on this system';
  if (code === 'EINVAL') return 'invalid line for this chip';
  return oneLine(err instanceof Error ? err.message : err, 160);
}

export class GpioIndicator extends IndicatorBase {
  readonly name = 'gpio';
  private readonly opts: GpioIndicatorOptions;
  private readonly open_: Partial<Record<GpioRole, GpioLine>> = {};
  private chip: GpioChip | null = null;

  constructor(opts: GpioIndicatorOptions) {
    super(opts);
    this.opts = opts;
  }

  /** The chip the lines were resolved on (after `open`). */
  get resolvedChip(): GpioChip | null {
    return this.chip;
  }

  protected async acquire(): Promise<void> {
    const factory = this.opts.gpioFactory ?? onoffFactory;
    let chip: GpioChip;
    try {
      chip = findGpioChip(this.opts.chipLabel, this.opts.sysfsRoot);
    } catch (err) {
      throw new IndicatorError(`GPIO: ${(err as Error).message}`);
    }
    this.chip = chip;
    for (const role of ['green', 'amber', 'red', 'buzzer'] as const) {
      const offset = this.opts.lines[role];
      if (offset === null) continue;
      const activeLow = role === 'buzzer' ? (this.opts.buzzerActiveLow ?? this.opts.activeLow) : this.opts.activeLow;
      let gpio: number | null = null;
      try {
        gpio = sysfsGpioNumber(chip, offset);
        this.open_[role] = await factory(gpio, { activeLow });
      } catch (err) {
        await this.release();
        const where = gpio === null ? '' : ` (sysfs gpio ${gpio})`;
        const why = gpio === null ? (err as Error).message : describeGpioError(err);
        throw new IndicatorError(`GPIO line ${offset}${where} for ${role} on ${chip.label}: ${why}`);
      }
    }
  }

  protected apply(output: IndicatorOutput): void {
    const on = lineStates(output, this.open_.amber !== undefined);
    for (const role of ['green', 'red', 'amber', 'buzzer'] as const) this.write(role, on[role]);
  }

  protected async release(): Promise<void> {
    for (const role of Object.keys(this.open_) as GpioRole[]) {
      const line = this.open_[role]!;
      delete this.open_[role];
      try {
        line.writeSync(0);
        line.unexport();
      } catch {
        // Releasing is best effort: the process is stopping.
      }
    }
  }

  private write(role: GpioRole, on: boolean): void {
    try {
      this.open_[role]?.writeSync(on ? 1 : 0);
    } catch {
      // A failed write must not stop the scan path; the next pattern writes again.
    }
  }
}
