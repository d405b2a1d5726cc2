/**
 * The buttons' twin for the simulator: presses come from a key typed in the terminal (`c`
 * confirm, `r` refuse), a test, or the demo's script. Same events as the GPIO driver, so the
 * appliance cannot tell them apart.
 * @module
 */
import { EventEmitter } from 'node:events';
import { BUTTON_NAMES, type ButtonName, type Buttons, type ButtonsEvents } from './buttons.js';

/** The keys of `roadscan run --hal sim` and the demo. */
export const SIM_BUTTON_KEYS: Readonly<Record<string, ButtonName>> = { c: 'confirm', r: 'refuse' };

export class SimButtons extends EventEmitter<ButtonsEvents> implements Buttons {
  readonly name = 'sim';
  private opened = false;

  constructor(private readonly now: () => number = () => performance.now()) {
    super();
  }

  async open(): Promise<void> {
    this.opened = true;
  }

  async close(): Promise<void> {
    this.opened = false;
  }

  /** Presses a button, as a person would (ignored while closed). */
  press(button: ButtonName): void {
    if (!this.opened || !BUTTON_NAMES.includes(button)) return;
    this.emit('press', { button, atMs: this.now() });
  }

  /**
   * Presses the button of a typed line, if the line is exactly one of the keys (`c`, `r`, any
   * case, spaces around allowed): returns whether it was a key, so the caller can treat anything
   * else as a scanned code.
   */
  pressKey(line: string): boolean {
    const button = SIM_BUTTON_KEYS[line.trim().toLowerCase()];
    if (!button) return false;
    this.press(button);
    return true;
  }
}
