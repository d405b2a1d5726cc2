/**
 * LEDs and buzzer through the kernel LED class (`/sys/class/leds/NAME/brightness`), the
 * alternative to sysfs GPIO: a `gpio-led` device-tree overlay names each line, the kernel owns
 * it, and the service only needs write access to `brightness` (no gpio group, no chip numbers).
 * A buzzer on a `gpio-led` line works the same way.
 * @module
 */
import { closeSync, openSync, readFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { IndicatorBase, IndicatorError, type IndicatorBaseOptions } from './indicator.js';
import { lineStates, type IndicatorOutput, type OutputLine } from './patterns.js';

export type LedRole = OutputLine;

export interface LedClassIndicatorOptions extends IndicatorBaseOptions {
  /** LED class device names (e.g. "roadscan:green"); null when not fitted. */
  leds: Record<LedRole, string | null>;
  /** Root of sysfs, for a fake tree in tests. */
  sysfsRoot?: string;
}

interface OpenLed {
  fd: number;
  on: Buffer;
}

const OFF = Buffer.from('0');
const SAFE_NAME = /^[A-Za-z0-9:_.+-]{1,64}$/;

export class LedClassIndicator extends IndicatorBase {
  readonly name = 'led-class';
  private readonly opts: LedClassIndicatorOptions;
  private readonly leds: Partial<Record<LedRole, OpenLed>> = {};

  constructor(opts: LedClassIndicatorOptions) {
    super(opts);
    this.opts = opts;
  }

  protected async acquire(): Promise<void> {
    const root = join(this.opts.sysfsRoot ?? '/sys', 'class', 'leds');
    for (const role of ['green', 'amber', 'red', 'buzzer'] as const) {
      const name = this.opts.leds[role];
      if (name === null) continue;
      if (!SAFE_NAME.test(name) || name === '.' || name === '..') {
        await this.release();
        throw new IndicatorError(`LED for ${role}: "${name}" is not an LED class name`);
      }
      const dir = join(root, name);
      try {
        const max = Number(readFileSync(join(dir, 'max_brightness'), 'utf8').trim());
        const fd = openSync(join(dir, 'brightness'), 'r+');
        this.leds[role] = { fd, on: Buffer.from(String(Number.isInteger(max) && max > 0 ? max : 1)) };
      } catch (err) {
        await this.release();
        const code = (err as NodeJS.ErrnoException).code;
        const why =
          code === 'ENOENT'
            ? 'not found: add a gpio-led overlay naming it (see README)'
            : code === 'EACCES' || code === 'EPERM'
              ? 'permission denied: give the service user write access to brightness (udev rule)'
              : (code ?? 'cannot open');
        throw new IndicatorError(`LED ${dir} for ${role}: ${why}`);
      }
    }
  }

  protected apply(output: IndicatorOutput): void {
    const on = lineStates(output, this.leds.amber !== undefined);
    for (const role of ['green', 'red', 'amber', 'buzzer'] as const) this.write(role, on[role]);
  }

  protected async release(): Promise<void> {
    for (const role of Object.keys(this.leds) as LedRole[]) {
      const led = this.leds[role]!;
      delete this.leds[role];
      try {
        writeSync(led.fd, OFF, 0, OFF.length, 0);
        closeSync(led.fd);
      } catch {
        // Best effort while stopping.
      }
    }
  }

  private write(role: LedRole, on: boolean): void {
    const led = this.leds[role];
    if (!led) return;
    const value = on ? led.on : OFF;
    try {
      writeSync(led.fd, value, 0, value.length, 0);
    } catch {
      // A failed write must not stop the scan path.
    }
  }
}
