/**
 * The service's sync loop, driven by a hand-cranked timer: the waits it asks for after successes
 * and failures (period, exponential backoff with its cap, jitter), and a clean stop.
 */
import { describe, expect, it } from 'vitest';
import { BackgroundSync, type BackgroundSyncOptions } from '../../../firmware-ts/status/sync/index.js';
import type { SyncOutcome } from '../../../firmware-ts/status/sync/index.js';

const OK: SyncOutcome = { ok: true, seq: 1, applied: 'none', entries: 0, iat: 1 };
const FAIL: SyncOutcome = { ok: false, seq: null, applied: 'none', entries: 0, iat: null, error: 'manifest.cose: connection refused' };

/** Timers that fire only when the test says so. */
class ManualTimers {
  pending: { fn: () => void; ms: number }[] = [];
  set = (fn: () => void, ms: number) => {
    const t = { fn, ms };
    this.pending.push(t);
    return t;
  };
  clear = (h: unknown) => {
    this.pending = this.pending.filter((t) => t !== h);
  };
  /** Fires the next timer and lets the sync it starts finish; returns the wait it had. */
  async fire(): Promise<number> {
    const t = this.pending.shift();
    if (!t) throw new Error('no timer pending');
    t.fn();
    for (let i = 0; i < 5; i++) await Promise.resolve();
    await new Promise((r) => setImmediate(r));
    return t.ms;
  }
}

function loop(results: SyncOutcome[], opts: Partial<BackgroundSyncOptions> = {}) {
  const timers = new ManualTimers();
  const outcomes: [SyncOutcome, number][] = [];
  let calls = 0;
  const bg = new BackgroundSync({
    run: async () => results[Math.min(calls++, results.length - 1)]!,
    periodMs: 3_600_000,
    retryMinMs: 30_000,
    retryMaxMs: 1_800_000,
    jitter: 0,
    initialDelayMs: 1000,
    onOutcome: (o, next) => outcomes.push([o, next]),
    random: () => 0.5,
    setTimer: timers.set,
    clearTimer: timers.clear,
    ...opts,
  });
  return { bg, timers, outcomes, calls: () => calls };
}

describe('BackgroundSync', () => {
  it('syncs soon after start, then once per period while syncs succeed', async () => {
    const { bg, timers, outcomes } = loop([OK]);
    bg.start();
    expect(await timers.fire()).toBe(1000);
    expect(await timers.fire()).toBe(3_600_000);
    expect(await timers.fire()).toBe(3_600_000);
    expect(outcomes.map(([o]) => o.ok)).toEqual([true, true, true]);
    await bg.stop();
    expect(timers.pending).toEqual([]);
  });

  it('backs off exponentially while syncs fail, up to the cap, and returns to the period after a success', async () => {
    const { bg, timers, outcomes } = loop([FAIL, FAIL, FAIL, FAIL, FAIL, FAIL, FAIL, FAIL, OK, OK]);
    bg.start();
    const waits: number[] = [];
    for (let i = 0; i < 10; i++) waits.push(await timers.fire());
    expect(waits).toEqual([1000, 30_000, 60_000, 120_000, 240_000, 480_000, 960_000, 1_800_000, 1_800_000, 3_600_000]);
    expect(outcomes[0]![0].error).toBe('manifest.cose: connection refused');
    await bg.stop();
  });

  it('spreads every wait by the jitter', () => {
    const at = (r: number) => new BackgroundSync({ run: async () => OK, periodMs: 1000, retryMinMs: 10, retryMaxMs: 100, jitter: 0.1, random: () => r });
    expect(at(0).delayAfter(0)).toBe(900);
    expect(at(0.5).delayAfter(0)).toBe(1000);
    expect(at(0.999999).delayAfter(0)).toBe(1100);
    expect(at(0).delayAfter(3)).toBe(36);
    // A backoff never exceeds the period either.
    expect(new BackgroundSync({ run: async () => OK, periodMs: 50, retryMinMs: 10, retryMaxMs: 100, jitter: 0 }).delayAfter(9)).toBe(50);
  });

  it('a run that throws counts as a failure with a one-line reason', async () => {
    const { bg, timers, outcomes } = loop([OK], {
      run: async () => {
        throw new Error('disk\nfull');
      },
    });
    bg.start();
    await timers.fire();
    expect(outcomes[0]![0]).toMatchObject({ ok: false, error: 'sync failed: disk full' });
    expect(outcomes[0]![1]).toBe(30_000);
    await bg.stop();
  });

  it('stop() waits for a running sync and schedules nothing more', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let finished = false;
    const { bg, timers } = loop([OK], {
      run: async () => {
        await gate;
        finished = true;
        return OK;
      },
    });
    bg.start();
    void timers.fire();
    const stopping = bg.stop();
    release();
    await stopping;
    expect(finished).toBe(true);
    expect(timers.pending).toEqual([]);
  });

  it('syncNow() runs at once and does not start a second sync while one runs', async () => {
    const { bg, calls } = loop([OK]);
    bg.start();
    const a = bg.syncNow();
    const b = bg.syncNow();
    expect(a).toBe(b);
    await a;
    expect(calls()).toBe(1);
    await bg.stop();
  });
});
