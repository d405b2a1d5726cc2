/**
 * Starting the operator screen from the configuration, for `roadscan run` and the demo. A screen
 * that cannot start (port taken) is reported and skipped: the LEDs and the buzzer still work, and
 * scanning must not stop because a display failed.
 * @module
 */
import type { Config } from '../config/schema.js';
import { ScreenServer } from './screen-server.js';

export interface StartScreenOptions {
  /** Where a failure to start or a later server error is reported (one line, no stack). */
  warn: (message: string) => void;
}

/** The running screen, or null when disabled in the config or unable to start. */
export async function startOperatorScreen(section: Config['screen'], opts: StartScreenOptions): Promise<ScreenServer | null> {
  if (!section.enabled) return null;
  const screen = new ScreenServer({ ...section, onError: (err) => opts.warn(`operator screen: ${err.message}`) });
  try {
    await screen.start();
    return screen;
  } catch (err) {
    opts.warn(err instanceof Error ? err.message : String(err));
    await screen.stop();
    return null;
  }
}
