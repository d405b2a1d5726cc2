/**
 * A retry that fails every second must not write a log line every second (issue 20: a handover
 * stuck on one record filled the journal): each kind of warning is written at most once per
 * period, with the number of repeats it stood for. Time is an input (`nowMs`).
 * @module
 */

export interface WarnLog {
  warn(obj: object, msg: string): void;
}

export class LogOnceAMinute {
  private readonly last = new Map<string, { atMs: number; repeats: number }>();

  constructor(
    private readonly log: WarnLog | undefined,
    private readonly periodMs = 60_000,
    private readonly nowMs: () => number = () => Date.now(),
  ) {}

  /** Writes `msg` unless the same `kind` was written less than a period ago (then counts it). */
  warn(kind: string, obj: object, msg: string): void {
    if (!this.log) return;
    const now = this.nowMs();
    const seen = this.last.get(kind);
    if (seen && now - seen.atMs < this.periodMs) {
      seen.repeats++;
      return;
    }
    this.log.warn(seen?.repeats ? { ...obj, repeatsNotLogged: seen.repeats } : obj, msg);
    this.last.set(kind, { atMs: now, repeats: 0 });
    // Bounded: kinds are few (a fixed set of messages), but an error text could vary without end.
    if (this.last.size > 256) this.last.delete(this.last.keys().next().value as string);
  }
}
