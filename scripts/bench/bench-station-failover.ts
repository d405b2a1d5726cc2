/**
 * The window in which a station's gates answer alone when the member leading the bucket dies
 * (issue 20: "failover, measured and said"). A gate scans back to back; the stream's Raft leader
 * is killed (SIGKILL, a power cut); the window is the time from the kill to the first claim the
 * station answers again (every claim between carries STATION_OFFLINE and is handed over later).
 * Several runs on the same cluster, the killed member started again between them; the median
 * goes in the README's station section.
 * @module
 */
import { performance } from 'node:perf_hooks';
import type { StationStore } from '../../firmware-ts/station/station-store.js';
import type { LocalNatsCluster } from '../../sim/station/local-cluster.js';

export interface FailoverRun {
  /** From the kill to the first claim answered by the station again, ms. */
  windowMs: number;
  /** Claims answered alone (STATION_OFFLINE) within it. */
  alone: number;
}

/** Between two scans at a gate that answers alone, ms (a scanner reads a code in tens of ms). */
const PACE_MS = 5;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** One run: kill the stream's leader while `gate` claims new tickets back to back. */
export async function leaderLossRun(cluster: LocalNatsCluster, stream: string, gate: StationStore, device: string, run: number): Promise<FailoverRun> {
  const leader = await waitFor(() => cluster.streamLeader(stream), 30_000, 'a stream leader');
  // The gate answers online before the kill (a warm link, a current stream).
  let i = 0;
  const claim = () =>
    gate.store.claim(
      `${(0xf0 + run).toString(16).padStart(8, '0')}${(i++).toString(16).padStart(24, '0')}`,
      { action: 'boarded', device, atSec: 1_800_000_000 + i, scanId: `f${run}-${i}` },
      1_900_000_000,
    );
  await waitFor(async () => ((await claim()).offline ? null : true), 30_000, 'an online answer before the kill');
  const killedAt = performance.now();
  await cluster.kill(leader);
  let alone = 0;
  let windowMs = -1;
  while (performance.now() - killedAt < 60_000) {
    const o = await claim();
    if (!o.offline) {
      windowMs = performance.now() - killedAt;
      break;
    }
    alone++;
    // A gate's next scan comes over the serial line (a macrotask later): an answer given from
    // memory alone must not starve the reconnect of the event loop.
    await sleep(PACE_MS);
  }
  if (windowMs < 0) throw new Error('the station did not answer again within 60 s of losing its leader');
  cluster.startMember(leader);
  await cluster.waitFormed(30_000);
  // The restarted member catches up before the next run kills someone else.
  await sleep(2000);
  return { windowMs, alone };
}

async function waitFor<T>(get: () => Promise<T | null>, ms: number, what: string): Promise<T> {
  const end = performance.now() + ms;
  while (performance.now() < end) {
    const v = await get();
    if (v !== null) return v;
    await sleep(50);
  }
  throw new Error(`bench: no ${what} within ${ms} ms`);
}

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}
