/**
 * Plays feedback timelines on an output sink. A new pattern cuts the running one short at once;
 * when a one-shot pattern ends, the background (the blinking alert, or dark) resumes.
 *
 * Steps are scheduled against the pattern's start instant, not the previous step, so timer
 * jitter does not accumulate. Timers are injectable so tests run on a virtual clock.
 * @module
 */
import { DARK, type IndicatorOutput, type Timeline } from './patterns.js';

/** The timer functions the player uses; `realTimers` outside tests. */
export interface Timers {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const realTimers: Timers = {
  now: () => performance.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
};

export class PatternPlayer {
  private readonly sink: (output: IndicatorOutput) => void;
  private readonly timers: Timers;
  private background: Timeline | null = null;
  private current: { timeline: Timeline; startedAt: number; isBackground: boolean } | null = null;
  private handle: unknown = null;
  private stopped = false;
  private last: IndicatorOutput = DARK;

  constructor(sink: (output: IndicatorOutput) => void, timers: Timers = realTimers) {
    this.sink = (output) => {
      this.last = output;
      sink(output);
    };
    this.timers = timers;
  }

  /** Plays a pattern now, cutting short whatever is running. */
  play(timeline: Timeline): void {
    if (this.stopped) return;
    this.start(timeline, false);
  }

  /** Sets what plays when no pattern is running (null: dark); applied at once if idle. */
  setBackground(timeline: Timeline | null): void {
    if (this.stopped || timeline === this.background) return;
    this.background = timeline;
    if (!this.current || this.current.isBackground) this.idle();
  }

  /** True while a one-shot pattern is running. */
  get busy(): boolean {
    return this.current !== null && !this.current.isBackground;
  }

  /** Cancels everything and leaves the outputs dark. */
  stop(): void {
    this.cancel();
    this.current = null;
    this.stopped = true;
    this.sink({ ...DARK });
  }

  private idle(): void {
    if (this.background) {
      this.start(this.background, true);
    } else {
      this.cancel();
      this.current = null;
      this.darken();
    }
  }

  private start(timeline: Timeline, isBackground: boolean): void {
    this.cancel();
    this.current = { timeline, startedAt: this.timers.now(), isBackground };
    this.runStep(0);
  }

  private runStep(index: number): void {
    const cur = this.current;
    if (!cur) return;
    const { timeline } = cur;
    const step = timeline.steps[index];
    if (step) {
      this.sink(step.output);
      const next = timeline.steps[index + 1];
      const nextAt = next ? next.atMs : timeline.durationMs;
      this.schedule(cur.startedAt + nextAt, () => (next ? this.runStep(index + 1) : this.end()));
    } else {
      this.end();
    }
  }

  private end(): void {
    const cur = this.current;
    if (!cur) return;
    if (cur.timeline.loop && cur.timeline.durationMs > 0) {
      cur.startedAt += cur.timeline.durationMs;
      this.runStep(0);
      return;
    }
    this.current = null;
    this.darken();
    // A background pattern that does not loop just ends dark.
    if (!cur.isBackground && this.background) this.start(this.background, true);
  }

  /** Goes dark unless already dark (automatic transitions never repeat an output). */
  private darken(): void {
    if (this.last.led !== 'off' || this.last.buzzer) this.sink({ ...DARK });
  }

  private schedule(at: number, fn: () => void): void {
    const delay = Math.max(0, at - this.timers.now());
    this.handle = this.timers.setTimeout(() => {
      this.handle = null;
      fn();
    }, delay);
  }

  private cancel(): void {
    if (this.handle !== null) this.timers.clearTimeout(this.handle);
    this.handle = null;
  }
}
