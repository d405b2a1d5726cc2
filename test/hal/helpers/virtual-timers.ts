/** A virtual clock for pattern timing: time moves only when the test advances it. */
import type { Timers } from '../../../hal/indicator/pattern-player.js';

export class VirtualTimers implements Timers {
  private t = 0;
  private seq = 0;
  private readonly pending = new Map<number, { at: number; fn: () => void; seq: number }>();

  now(): number {
    return this.t;
  }

  setTimeout(fn: () => void, ms: number): unknown {
    const id = ++this.seq;
    this.pending.set(id, { at: this.t + Math.max(0, ms), fn, seq: id });
    return id;
  }

  clearTimeout(handle: unknown): void {
    this.pending.delete(handle as number);
  }

  /** Runs every timer due up to now + ms, in time order, moving the clock to each. */
  advance(ms: number): void {
    const until = this.t + ms;
    for (;;) {
      let next: { id: number; at: number; seq: number; fn: () => void } | null = null;
      for (const [id, p] of this.pending) {
        if (p.at <= until && (!next || p.at < next.at || (p.at === next.at && p.seq < next.seq))) next = { id, ...p };
      }
      if (!next) break;
      this.pending.delete(next.id);
      this.t = next.at;
      next.fn();
    }
    this.t = until;
  }
}
