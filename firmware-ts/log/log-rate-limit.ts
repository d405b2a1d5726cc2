/**
 * A bound on how many lines of one kind reach the log, so that a flood of bad input (20 MB of
 * random bytes on the serial line once gave 154,262 warn lines) cannot fill the SD card or bury
 * the one line that matters. A kind is a level and a message; each kind may write `burst` lines
 * per window, the rest are counted, and the count is said: on the first line of the kind in a
 * new window (`suppressed: n`), or in one summary line when the window ends quietly.
 *
 * Pure bookkeeping with an injected clock; the logger owns the timers and the writing.
 * @module
 */

export interface RateLimitOptions {
  /** Lines of one kind allowed per window at warn and above (default 20). */
  burst?: number;
  /** Lines of one kind allowed per window below warn (default 600: one scan a tenth of a second). */
  infoBurst?: number;
  /** Window length, ms (default 60 000). */
  windowMs?: number;
}

/** pino's numeric level of `warn`. */
const WARN = 40;
/** pino's numeric level of `fatal`: never limited, it is the last line before an exit. */
const FATAL = 60;
/** Kinds remembered at once; beyond it the oldest windows are forgotten (bounded memory). */
const MAX_KINDS = 256;

interface Window {
  startedAt: number;
  written: number;
  suppressed: number;
}

/** What to do with one line. */
export type Admission =
  | { write: true /** Lines of this kind dropped in the window before, to say on this line. */; suppressedBefore: number }
  | { write: false /** True for the first line dropped in this window (time to arm a summary). */; first: boolean };

export class LogRateLimiter {
  private readonly windows = new Map<string, Window>();
  readonly burst: number;
  readonly infoBurst: number;
  readonly windowMs: number;

  constructor(
    opts: RateLimitOptions = {},
    private readonly now: () => number = Date.now,
  ) {
    this.burst = opts.burst ?? 20;
    this.infoBurst = opts.infoBurst ?? 600;
    this.windowMs = opts.windowMs ?? 60_000;
  }

  /** Decides about one line of `msg` at numeric `level`. */
  admit(level: number, msg: string): Admission {
    if (level >= FATAL) return { write: true, suppressedBefore: 0 };
    const kind = `${level} ${msg}`;
    const t = this.now();
    let w = this.windows.get(kind);
    let suppressedBefore = 0;
    if (!w || t - w.startedAt >= this.windowMs) {
      suppressedBefore = w?.suppressed ?? 0;
      this.windows.delete(kind);
      w = { startedAt: t, written: 0, suppressed: 0 };
      this.windows.set(kind, w);
      if (this.windows.size > MAX_KINDS) this.windows.delete(this.windows.keys().next().value as string);
    }
    const limit = level >= WARN ? this.burst : this.infoBurst;
    if (w.written < limit) {
      w.written++;
      return { write: true, suppressedBefore };
    }
    w.suppressed++;
    return { write: false, first: w.suppressed === 1 };
  }

  /** Takes every count not yet said, whatever its window (the process is about to end). */
  drain(): { level: number; msg: string; suppressed: number }[] {
    const out: { level: number; msg: string; suppressed: number }[] = [];
    for (const [kind, w] of this.windows) {
      if (w.suppressed === 0) continue;
      const space = kind.indexOf(' ');
      out.push({ level: Number(kind.slice(0, space)), msg: kind.slice(space + 1), suppressed: w.suppressed });
      w.suppressed = 0;
    }
    return out;
  }

  /**
   * Takes the count of lines dropped for a kind whose window has ended, for a summary line
   * (0 when none, or when a new line already carried it).
   */
  takeSuppressed(level: number, msg: string): number {
    const w = this.windows.get(`${level} ${msg}`);
    if (!w || w.suppressed === 0 || this.now() - w.startedAt < this.windowMs) return 0;
    const n = w.suppressed;
    w.suppressed = 0;
    return n;
  }
}
