/**
 * The clock a partial frame's silence is measured on: time during which this process could have
 * read the line. A frame half read when the event loop blocks (a synchronous write to a slow SD
 * card, a long garbage collection) has its other half waiting in the kernel's buffer; read after
 * the block, it would look like a second of silence on the line and be dropped as idle. A light
 * heartbeat notices every block longer than a few of its periods and that time is taken off, so
 * only silence the scanner itself made ends a frame. (The event loop delay histogram of
 * perf_hooks forgets the block that follows a reset, which is just the one that matters here.)
 * @module
 */
import { performance } from 'node:perf_hooks';

/** The heartbeat's period; a block shorter than two of these is ordinary jitter. */
export const HEARTBEAT_MS = 50;

export class LineClock {
  private timer: NodeJS.Timeout | null = null;
  private lastBeat = 0;
  private blockedMs = 0;

  /** Starts the heartbeat (its timer does not keep the process alive). */
  start(): void {
    if (this.timer) return;
    this.lastBeat = performance.now();
    this.timer = setInterval(() => this.beat(), HEARTBEAT_MS);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** Milliseconds, monotonic, without the time the event loop was blocked. */
  now(): number {
    if (this.timer) this.beat();
    return performance.now() - this.blockedMs;
  }

  /** Also called on reads, so a block is counted even when the data is read before the timer runs. */
  private beat(): void {
    const t = performance.now();
    const gap = t - this.lastBeat;
    if (gap > 2 * HEARTBEAT_MS) this.blockedMs += gap - HEARTBEAT_MS;
    this.lastBeat = t;
  }
}
