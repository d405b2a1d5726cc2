/**
 * Retry delays for reopening a lost device: quick at first (a replug takes a second), then
 * slower so an absent scanner does not keep a core busy or flood the log.
 * @module
 */

export interface BackoffOptions {
  /** First delay after a failure, in milliseconds. */
  initialMs: number;
  /** Longest delay, in milliseconds. */
  maxMs: number;
  /** Growth per failed attempt (2 doubles). */
  factor: number;
}

/** Delay before attempt number `attempt` (0 for the first retry). */
export function backoffDelay(attempt: number, opts: BackoffOptions): number {
  const raw = opts.initialMs * opts.factor ** Math.max(0, attempt);
  return Math.round(Math.min(opts.maxMs, Number.isFinite(raw) ? raw : opts.maxMs));
}
