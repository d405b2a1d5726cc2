/**
 * What a verified manifest asks of this scanner: nothing, a chain of deltas from the seq it
 * holds, or the snapshot (followed by the deltas from the snapshot's seq). A pure function of
 * the held seq and the manifest, so every case is tested without a network.
 * @module
 */
import type { DeltaRef, Manifest } from './manifest.js';
import { SyncError } from './sync-error.js';

export type SyncPlan = { kind: 'none' } | { kind: 'deltas'; chain: DeltaRef[] } | { kind: 'snapshot'; chain: DeltaRef[] };

/**
 * The chain of deltas from `from` to `to` carrying the fewest records, or null when none exists.
 * Deltas only go forward (from < to), so visiting them by ascending `from` settles each seq
 * before any delta leaves it.
 */
export function findChain(deltas: readonly DeltaRef[], from: number, to: number): DeltaRef[] | null {
  if (from === to) return [];
  const best = new Map<number, { cost: number; via: DeltaRef | null }>([[from, { cost: 0, via: null }]]);
  const sorted = deltas.filter((d) => d.from >= from && d.to <= to).sort((a, b) => a.from - b.from);
  for (const d of sorted) {
    const here = best.get(d.from);
    if (!here) continue;
    const cost = here.cost + d.count + 1;
    const there = best.get(d.to);
    if (!there || cost < there.cost) best.set(d.to, { cost, via: d });
  }
  if (!best.has(to)) return null;
  const chain: DeltaRef[] = [];
  for (let at = to; at !== from; ) {
    const via = best.get(at)!.via!;
    chain.unshift(via);
    at = via.from;
  }
  return chain;
}

function records(chain: readonly DeltaRef[]): number {
  return chain.reduce((n, d) => n + d.count, 0);
}

/**
 * Delta rows the overlay may hold (with the chain about to be added) before the plan prefers a
 * fresh snapshot: a quarter of the snapshot, and never fewer than this many. Keeps the overlay
 * small next to the file it amends, whatever the server keeps offering.
 */
export const OVERLAY_FLOOR = 50_000;

/**
 * Decides the plan; throws SyncError for a rollback or a manifest that offers no way to its seq.
 * `overlayRows` is how many delta rows the held list already carries.
 */
export function planSync(heldSeq: number | null, m: Manifest, overlayRows = 0): SyncPlan {
  if (heldSeq !== null && m.seq < heldSeq) {
    throw new SyncError(`rollback refused: manifest seq ${m.seq} is lower than the held seq ${heldSeq}`);
  }
  if (heldSeq === m.seq) return { kind: 'none' };
  const fromSnapshot = findChain(m.deltas, m.snap.seq, m.seq);
  const fromHeld = heldSeq === null ? null : findChain(m.deltas, heldSeq, m.seq);
  const overlayFull = overlayRows + (fromHeld ? records(fromHeld) : 0) > Math.max(OVERLAY_FLOOR, m.snap.count / 4);
  if (fromHeld && (!fromSnapshot || (!overlayFull && records(fromHeld) <= m.snap.count + records(fromSnapshot)))) {
    return { kind: 'deltas', chain: fromHeld };
  }
  return snapshotPlan(m);
}

/** The snapshot and the chain from its seq to the manifest's; throws SyncError when there is none. */
export function snapshotPlan(m: Manifest): SyncPlan {
  const chain = findChain(m.deltas, m.snap.seq, m.seq);
  if (!chain) throw new SyncError(`manifest: no delta chain leads from snapshot seq ${m.snap.seq} to seq ${m.seq}`);
  return { kind: 'snapshot', chain };
}
