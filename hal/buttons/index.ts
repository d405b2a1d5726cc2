/**
 * The operator's confirm and refuse buttons: the face the rest of the program uses. `gpio`
 * (two onoff inputs, debounced), `sim` (keys in the simulator), or none fitted.
 * @module
 */
import type { Timers } from '../indicator/pattern-player.js';
import type { Buttons } from './buttons.js';
import type { GpioInputFactory } from './gpio-buttons.js';

export { BUTTON_NAMES, ButtonsError, type ButtonFault, type ButtonName, type ButtonPress, type Buttons } from './buttons.js';
export { GpioButtons, type GpioButtonsOptions, type GpioInputFactory, type GpioInputLine } from './gpio-buttons.js';
export { SimButtons, SIM_BUTTON_KEYS } from './sim-buttons.js';

export interface ButtonsChoice {
  driver: 'gpio' | 'sim' | 'none';
  lines?: { confirm: number | null; refuse: number | null };
  chipLabel?: string | null;
  activeLow?: boolean;
  debounceMs?: number;
  stuckMs?: number;
  sysfsRoot?: string;
  gpioFactory?: GpioInputFactory;
  timers?: Timers;
}

/** The buttons chosen, or null when none are fitted (or no GPIO line is configured). */
export async function createButtons(choice: ButtonsChoice): Promise<Buttons | null> {
  if (choice.driver === 'none') return null;
  if (choice.driver === 'sim') {
    const { SimButtons } = await import('./sim-buttons.js');
    return new SimButtons();
  }
  const lines = choice.lines ?? { confirm: null, refuse: null };
  if (lines.confirm === null && lines.refuse === null) return null;
  const { GpioButtons } = await import('./gpio-buttons.js');
  return new GpioButtons({
    lines,
    chipLabel: choice.chipLabel ?? null,
    activeLow: choice.activeLow ?? true,
    debounceMs: choice.debounceMs ?? 30,
    stuckMs: choice.stuckMs ?? 10_000,
    sysfsRoot: choice.sysfsRoot,
    gpioFactory: choice.gpioFactory,
    timers: choice.timers,
  });
}
