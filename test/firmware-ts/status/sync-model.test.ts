/**
 * Long random histories: an authority publishes many seqs (new keys, status changes, removals,
 * sometimes no new snapshot, few deltas kept), a scanner syncs now and then, skipping seqs; after
 * every sync the store must answer exactly as a plain in-memory model of that seq.
 */
import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../../sim/status/synthetic-list.js';
import { StatusWorld } from './status-fixture.js';

function randomHex(rnd: () => number): string {
  return [rnd(), rnd(), rnd(), rnd()].map((n) => n.toString(16).padStart(8, '0')).join('');
}

async function history(seed: number, steps: number): Promise<string[]> {
  const rnd = seededRandom(seed);
  const w = await StatusWorld.create();
  const problems: string[] = [];
  try {
    const store = w.openStore();
    let synced = 0;
    for (let step = 0; step < steps; step++) {
      const current = w.model.get(step) ?? new Map<string, number>();
      const existing = [...current.keys()];
      const changes = new Map<string, number>();
      const n = 1 + (rnd() % 40);
      for (let i = 0; i < n; i++) {
        const r = rnd() % 10;
        if (r < 4 || existing.length === 0) changes.set(randomHex(rnd), 1 + (rnd() % 8));
        else if (r < 7) changes.set(existing[rnd() % existing.length]!, rnd() % 9);
        else changes.set(existing[rnd() % existing.length]!, 0);
        if (rnd() % 20 === 0) changes.set(randomHex(rnd), 0); // removing what is not there
      }
      w.publish(changes, { newSnapshot: rnd() % 3 !== 0, keepDeltas: 1 + (rnd() % 4) });
      if (rnd() % 3 !== 0 || step === steps - 1) {
        const out = await w.sync();
        const seq = step + 1;
        if (!out.ok || out.seq !== seq) problems.push(`step ${step}: ${JSON.stringify(out)}`);
        const expected = w.model.get(seq)!;
        if (out.entries !== expected.size) problems.push(`step ${step}: entries ${out.entries} != ${expected.size}`);
        problems.push(...w.expectMatches(store, seq, [randomHex(rnd)]).map((p) => `step ${step}: ${p}`));
        if (store.seq() !== seq || store.entries() !== expected.size) problems.push(`step ${step}: store says seq ${store.seq()}`);
        synced++;
      }
    }
    expect(synced).toBeGreaterThan(0);
    store.close();
  } finally {
    await w.close();
  }
  return problems;
}

describe('random publication histories', () => {
  for (const seed of [1, 2, 3, 4]) {
    it(`seed ${seed}: every sync leaves exactly the published list`, async () => {
      expect(await history(seed, 14)).toEqual([]);
    });
  }

  it('uses deltas when a chain fits and the snapshot when none does', async () => {
    const w = await StatusWorld.create();
    try {
      w.publish({ aa000000000000000000000000000000: 1 });
      expect((await w.sync()).applied).toBe('snapshot');
      w.publish({ bb000000000000000000000000000000: 2 }, { keepDeltas: 1 });
      expect((await w.sync()).applied).toBe('deltas');
      w.publish({ cc000000000000000000000000000000: 3 }, { keepDeltas: 1 });
      w.publish({ aa000000000000000000000000000000: 0 }, { keepDeltas: 1 });
      w.server.requests.length = 0;
      const out = await w.sync();
      expect(out).toMatchObject({ ok: true, seq: 4, applied: 'snapshot', entries: 2 });
      expect(w.server.requests).toEqual(['/manifest.cose', '/snap-4.bin']);
      const store = w.openStore();
      expect(w.expectMatches(store, 4)).toEqual([]);
      store.close();
    } finally {
      await w.close();
    }
  });
});
