/**
 * Turns the raw edges of one push button into presses. A mechanical contact bounces for a few
 * milliseconds on both press and release, so a level counts only once it has held still for
 * `debounceMs`. A press is reported once, when the button is certainly down, and the button must
 * be certainly up again before the next one counts: holding it never repeats, and a button found
 * down when the driver starts (stuck, or leant on) is not a press until it has been let go.
 * @module
 */
import type { Timers } from '../indicator/pattern-player.js';

export interface DebouncerOptions {
  debounceMs: number;
  /** Down longer than this (ms) is reported once as stuck; 0 never. */
  stuckMs: number;
  timers: Timers;
  onPress(atMs: number): void;
  onStuck?(heldMs: number): void;
}

export class Debouncer {
  /** The last level seen (1: pressed). */
  private raw: 0 | 1;
  /** The level that has held still for debounceMs. */
  private stable: 0 | 1;
  /** A press counts only after the button was seen up. */
  private armed: boolean;
  private settle: unknown = null;
  private stuck: unknown = null;

  constructor(
    private readonly opts: DebouncerOptions,
    initial: 0 | 1,
  ) {
    this.raw = initial;
    this.stable = initial;
    this.armed = initial === 0;
    if (initial === 1) this.watchStuck();
  }

  /** A level read from the line (an edge, or a poll): 1 pressed, 0 released. */
  level(value: 0 | 1): void {
    if (value === this.raw) return;
    this.raw = value;
    if (this.settle !== null) this.opts.timers.clearTimeout(this.settle);
    this.settle = this.opts.timers.setTimeout(() => this.settled(), this.opts.debounceMs);
  }

  /** Stops every timer (the driver is closing). */
  stop(): void {
    if (this.settle !== null) this.opts.timers.clearTimeout(this.settle);
    if (this.stuck !== null) this.opts.timers.clearTimeout(this.stuck);
    this.settle = this.stuck = null;
  }

  private settled(): void {
    this.settle = null;
    if (this.raw === this.stable) return;
    this.stable = this.raw;
    if (this.stable === 0) {
      this.armed = true;
      if (this.stuck !== null) this.opts.timers.clearTimeout(this.stuck);
      this.stuck = null;
      return;
    }
    this.watchStuck();
    if (!this.armed) return;
    this.armed = false;
    this.opts.onPress(this.opts.timers.now());
  }

  private watchStuck(): void {
    if (this.opts.stuckMs <= 0) return;
    this.stuck = this.opts.timers.setTimeout(() => {
      this.stuck = null;
      this.opts.onStuck?.(this.opts.stuckMs);
    }, this.opts.stuckMs);
  }
}
