/**
 * A scan waits for the station's store only so long (docs/DESIGN.md, "A station with several
 * gates and windows"): past the deadline the device answers from its own record. The call it gave
 * up on is left to finish or fail on its own; its outcome is swallowed, never an unhandled rejection.
 * @module
 */

export const TIMED_OUT: unique symbol = Symbol('timed out');

/** `work`'s value, or TIMED_OUT once `ms` have passed (`ms` <= 0: at once, unless already settled). */
export async function withDeadline<T>(work: Promise<T>, ms: number): Promise<T | typeof TIMED_OUT> {
  work.catch(() => undefined);
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<typeof TIMED_OUT>((resolve) => {
    timer = setTimeout(() => resolve(TIMED_OUT), Math.max(0, ms));
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
