/**
 * The service's status-list sync loop: one sync soon after start, then one per period while
 * they succeed, and retries with exponential backoff (capped) while they fail. Every wait is
 * spread by a random jitter so a fleet does not hit the server in step. One sync at a time.
 * `stop()` aborts a running sync's requests (its AbortSignal) and then waits for it: the network
 * can never hold the service's shutdown, and a sync cut short still leaves a whole list (and its
 * partial download, to resume at the next start).
 * @module
 */
import { oneLine } from '../../core/text-safety.js';
import type { SyncOutcome } from './sync.js';

export interface BackgroundSyncOptions {
  /** One sync; must not throw (syncOnce never does for network or content failures). */
  run(signal: AbortSignal): Promise<SyncOutcome>;
  /** Wait after a successful sync. */
  periodMs: number;
  /** First retry after a failure; doubled per further failure up to `retryMaxMs`. */
  retryMinMs: number;
  retryMaxMs: number;
  /** Fraction of each wait added or removed at random (0 to 0.5). */
  jitter: number;
  /** Wait before the first sync (default: a jittered `retryMinMs`, at most a few seconds). */
  initialDelayMs?: number;
  /** Called with each outcome (and the wait until the next sync). */
  onOutcome?(outcome: SyncOutcome, nextInMs: number): void;
  /** Random number in [0, 1) (tests pass a fixed one). */
  random?(): number;
  /** Timer functions (tests pass their own). */
  setTimer?(fn: () => void, ms: number): unknown;
  clearTimer?(handle: unknown): void;
}

export class BackgroundSync {
  private failures = 0;
  private timer: unknown = null;
  private running: Promise<void> | null = null;
  private stopped = true;
  private abort = new AbortController();
  private readonly random: () => number;
  private readonly setTimer: (fn: () => void, ms: number) => unknown;
  private readonly clearTimer: (handle: unknown) => void;

  constructor(private readonly opts: BackgroundSyncOptions) {
    this.random = opts.random ?? Math.random;
    this.setTimer = opts.setTimer ?? ((fn, ms) => setTimeout(fn, ms).unref());
    this.clearTimer = opts.clearTimer ?? ((h) => clearTimeout(h as NodeJS.Timeout));
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    if (this.abort.signal.aborted) this.abort = new AbortController();
    const first = this.opts.initialDelayMs ?? Math.min(this.opts.retryMinMs, 5000) * this.random();
    this.schedule(first);
  }

  /** Runs a sync now (unless one is running) and reschedules after it. */
  syncNow(): Promise<void> {
    if (this.running) return this.running;
    if (this.timer !== null) this.clearTimer(this.timer);
    this.timer = null;
    this.running = this.tick().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  /** Stops scheduling; resolves once a sync in progress has finished. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer !== null) this.clearTimer(this.timer);
    this.timer = null;
    this.abort.abort();
    await this.running;
  }

  /** The wait after a success (failures = 0) or after the n-th failure in a row. */
  delayAfter(failures: number): number {
    const o = this.opts;
    const base = failures === 0 ? o.periodMs : Math.min(o.retryMaxMs, o.periodMs, o.retryMinMs * 2 ** Math.min(failures - 1, 30));
    const spread = Math.min(Math.max(o.jitter, 0), 0.5);
    return Math.max(0, Math.round(base * (1 + spread * (2 * this.random() - 1))));
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    this.timer = this.setTimer(() => {
      this.timer = null;
      void this.syncNow();
    }, ms);
  }

  private async tick(): Promise<void> {
    let outcome: SyncOutcome;
    try {
      outcome = await this.opts.run(this.abort.signal);
    } catch (err) {
      outcome = { ok: false, seq: null, applied: 'none', entries: 0, iat: null, error: `sync failed: ${oneLine(String((err as Error)?.message ?? err), 300)}` };
    }
    this.failures = outcome.ok ? 0 : this.failures + 1;
    const next = this.delayAfter(this.failures);
    try {
      this.opts.onOutcome?.(outcome, next);
    } finally {
      this.schedule(next);
    }
  }
}
