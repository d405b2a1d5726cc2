/**
 * Time as an input. Every rule takes a `Clock`, so it can be evaluated at any instant.
 * @module
 */

export interface Clock {
  /** Milliseconds since the Unix epoch. */
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

/** A clock stopped at one instant (tests, replays, `--now`). */
export function fixedClock(ms: number): Clock {
  return { now: () => ms };
}

/** The instant the checks use and whether the device can vouch for it (docs/DESIGN.md, clock floor). */
export interface CheckTime {
  /** Seconds since the Unix epoch, as used by every rule. */
  nowSec: number;
  /** False when the system clock is below the clock floor: scans carry CLOCK_UNRELIABLE. */
  reliable: boolean;
}
