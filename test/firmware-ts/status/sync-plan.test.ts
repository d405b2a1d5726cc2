import { describe, expect, it } from 'vitest';
import type { DeltaRef, Manifest } from '../../../firmware-ts/status/sync/index.js';
import { findChain, planSync } from '../../../firmware-ts/status/sync/index.js';

const d = (from: number, to: number, count = 10): DeltaRef => ({ from, to, count, path: `d-${from}-${to}`, sha256: Buffer.alloc(32) });
const manifest = (seq: number, snapSeq: number, deltas: DeltaRef[], snapCount = 1000): Manifest => ({
  seq,
  iat: 1,
  snap: { seq: snapSeq, count: snapCount, path: 's', sha256: Buffer.alloc(32) },
  deltas,
  trust: null,
  trustChain: [],
  rules: [],
  signer: '00',
});
const paths = (chain: DeltaRef[] | null) => chain?.map((x) => `${x.from}-${x.to}`) ?? null;

describe('findChain', () => {
  it('finds the chain with the fewest records, or none', () => {
    const deltas = [d(1, 2), d(2, 3), d(3, 4), d(1, 3, 5), d(2, 4, 100)];
    expect(paths(findChain(deltas, 1, 4))).toEqual(['1-3', '3-4']);
    expect(paths(findChain(deltas, 2, 4))).toEqual(['2-3', '3-4']);
    expect(paths(findChain(deltas, 4, 4))).toEqual([]);
    expect(findChain(deltas, 0, 4)).toBeNull();
    expect(findChain(deltas, 1, 5)).toBeNull();
  });
});

describe('planSync', () => {
  it('refuses a rollback, does nothing at the same seq', () => {
    expect(() => planSync(5, manifest(4, 4, []))).toThrow(/rollback refused: manifest seq 4 is lower than the held seq 5/);
    expect(planSync(4, manifest(4, 4, []))).toEqual({ kind: 'none' });
  });

  it('takes a delta chain from the held seq when one fits', () => {
    const p = planSync(2, manifest(4, 4, [d(2, 3), d(3, 4)]));
    expect(p.kind).toBe('deltas');
    expect(paths(p.kind === 'none' ? null : p.chain)).toEqual(['2-3', '3-4']);
  });

  it('takes the snapshot (and the deltas after it) when no chain fits, or when it is cheaper', () => {
    const never = planSync(null, manifest(4, 3, [d(3, 4)]));
    expect(never.kind).toBe('snapshot');
    expect(paths(never.kind === 'none' ? null : never.chain)).toEqual(['3-4']);
    expect(planSync(1, manifest(4, 4, [d(2, 3), d(3, 4)])).kind).toBe('snapshot');
    expect(planSync(1, manifest(2, 2, [d(1, 2, 5000)], 1000)).kind).toBe('snapshot');
  });

  it('prefers the snapshot once the overlay would outgrow a quarter of it (and its floor)', () => {
    const m = manifest(3, 3, [d(2, 3, 30_000)], 1_000_000);
    expect(planSync(2, m, 200_000).kind).toBe('deltas');
    expect(planSync(2, m, 230_000).kind).toBe('snapshot');
    const small = manifest(3, 3, [d(2, 3, 10)], 100);
    expect(planSync(2, small, 49_990).kind).toBe('deltas');
    expect(planSync(2, small, 49_991).kind).toBe('snapshot');
  });

  it('refuses a manifest that offers no way to its own seq', () => {
    expect(() => planSync(null, manifest(4, 2, [d(3, 4)]))).toThrow(/no delta chain leads from snapshot seq 2 to seq 4/);
  });
});
