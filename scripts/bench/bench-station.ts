/**
 * `npm run bench station`: what the station's shared once-only check costs a scan (issue 11),
 * on a real three-server nats-server cluster on 127.0.0.1 with replicas 3, against this device's
 * SQLite record alone, measured in the same run on the same machine:
 * - the claim of a ticket no gate has seen (one atomic create), 2,000 scans, p50 and p99;
 * - the claim of a ticket another gate already holds (create refused, the holder read back);
 * - the local-only claim (one SQLite INSERT, synchronous=FULL) as the baseline;
 * - four gates scanning the same tickets in random order at once, one scan at a time each, as
 *   gates do: scans per second the station sustains, and exactly one boarding per ticket;
 * - the cluster closed as shipped (issue 20): TLS on client and route connections, each gate with
 *   its own certificate mapped to a user allowed only the bucket, so the shared rows are with
 *   authentication and TLS on;
 * - the window in which a gate answers alone when the bucket's Raft leader dies (median of
 *   FAILOVER_RUNS kills, bench-station-failover.ts).
 * @module
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { openDatabase, type Db } from '../../firmware-ts/store/database.js';
import { LocalOnceOnlyStore } from '../../firmware-ts/station/local-once-only-store.js';
import type { OnceOnlyStore } from '../../firmware-ts/station/once-only.js';
import { openStationStore, type StationStore } from '../../firmware-ts/station/station-store.js';
import { LocalNatsCluster } from '../../sim/station/local-cluster.js';
import type { BenchRow } from './bench-row.js';
import { percentile } from './bench-stats.js';
import { leaderLossRun, median } from './bench-station-failover.js';

const SCANS = 2000;
const GATES = 4;
const P99_BUDGET_MS = 10;
const FAILOVER_RUNS = 5;

const key = (run: number, i: number) => `${run.toString(16).padStart(8, '0')}${i.toString(16).padStart(24, '0')}`;

interface Timed {
  ms: number[];
  claimed: number;
}

async function timeClaim(into: Timed, store: OnceOnlyStore, device: string, k: string, i: number): Promise<void> {
  const t = performance.now();
  const o = await store.claim(k, { action: 'boarded', device, atSec: 1_800_000_000 + i, scanId: `b${i}` }, 1_900_000_000);
  into.ms.push(performance.now() - t);
  if (o.result === 'claimed' && !o.offline) into.claimed++;
}

async function timeClaims(store: OnceOnlyStore, device: string, run: number, n: number): Promise<{ ms: number[]; claimed: number }> {
  const ms: number[] = [];
  let claimed = 0;
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    const o = await store.claim(key(run, i), { action: 'boarded', device, atSec: 1_800_000_000 + i, scanId: `b${i}` }, 1_900_000_000);
    ms.push(performance.now() - t);
    if (o.result === 'claimed' && !o.offline) claimed++;
  }
  ms.sort((a, b) => a - b);
  return { ms, claimed };
}

function shuffled(n: number, seed: number): number[] {
  const a = Array.from({ length: n }, (_, i) => i);
  let s = seed >>> 0;
  for (let i = n - 1; i > 0; i--) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    const j = s % (i + 1);
    [a[i], a[j]] = [a[j]!, a[i]!];
  }
  return a;
}

export async function runStationBench(): Promise<BenchRow[]> {
  const dir = mkdtempSync(join(tmpdir(), 'roadscan-bench-station-'));
  // One more device than gates: the failover gate, with the shipped 150 ms deadline.
  const devices = Array.from({ length: GATES + 1 }, (_, g) => `gate${g}`);
  const cluster = await LocalNatsCluster.create(3, 'station', { closed: { bucket: 'bench', devices } });
  const dbs: Db[] = [];
  const gates: StationStore[] = [];
  try {
    await cluster.start();
    for (let g = 0; g <= GATES; g++) {
      const db = openDatabase(join(dir, `gate${g}.db`));
      dbs.push(db);
      gates.push(
        openStationStore({
          db,
          deviceId: `gate${g}`,
          shared: {
            servers: [cluster.servers[g % 3]!],
            bucket: 'bench',
            replicas: 3,
            // A loaded two-core machine's deadline for the measured gates (the latency rows are
            // the answers' own times); the shipped 150 ms for the failover gate.
            deadlineMs: g === GATES ? 150 : 2000,
            recordMaxAgeHours: 24,
            handoverPeriodMs: 1000,
            handoverQueueMax: 100_000,
            credsFile: null,
            tls: cluster.clientTls(`gate${g}`),
          },
        }),
      );
    }
    const until = Date.now() + 20_000;
    while (!gates.every((g) => g.station!.state().connected)) {
      if (Date.now() > until) throw new Error('gates did not connect to the station cluster');
      await new Promise((r) => setTimeout(r, 50));
    }
    const localDb = openDatabase(join(dir, 'alone.db'));
    dbs.push(localDb);
    const alone = new LocalOnceOnlyStore(localDb);

    // Warm-up of both paths (JIT, connections, the stream leader), not measured.
    await timeClaims(gates[0]!.store, 'gate0', 1, 200);
    await timeClaims(alone, 'alone', 1, 200);

    // Interleaved scan by scan, so a busy moment of the machine weighs on all three alike.
    const local: Timed = { ms: [], claimed: 0 };
    const fresh: Timed = { ms: [], claimed: 0 };
    const held: Timed = { ms: [], claimed: 0 };
    for (let i = 0; i < SCANS; i++) {
      await timeClaim(local, alone, 'alone', key(2, i), i);
      await timeClaim(fresh, gates[0]!.store, 'gate0', key(2, i), i);
      await timeClaim(held, gates[1]!.store, 'gate1', key(2, i), i);
    }
    for (const t of [local, fresh, held]) t.ms.sort((a, b) => a - b);
    if (fresh.claimed !== SCANS) throw new Error(`only ${fresh.claimed} of ${SCANS} fresh claims were won online`);
    if (held.claimed !== 0) throw new Error(`${held.claimed} tickets held by gate0 were claimed again by gate1`);

    // Four gates, the same tickets, each its own random order, all at once.
    const started = performance.now();
    const won = await Promise.all(
      gates.slice(0, GATES).map(async (g, gi) => {
        let claimed = 0;
        for (const i of shuffled(SCANS, 17 + gi)) {
          const o = await g.store.claim(key(3, i), { action: 'boarded', device: `gate${gi}`, atSec: 1_800_000_000 + i, scanId: `c${i}` }, 1_900_000_000);
          if (o.result === 'claimed') claimed++;
          if (o.offline) throw new Error('a gate went offline on loopback');
        }
        return claimed;
      }),
    );
    const wallSec = (performance.now() - started) / 1000;
    const boarded = won.reduce((a, b) => a + b, 0);
    if (boarded !== SCANS) throw new Error(`${boarded} boardings for ${SCANS} tickets`);

    // The leader's loss: the failover gate follows the cluster to the survivors (it learns every member's address).
    const failovers = [];
    for (let run = 0; run < FAILOVER_RUNS; run++) failovers.push(await leaderLossRun(cluster, 'KV_bench', gates[GATES]!, `gate${GATES}`, run));
    const windows = failovers.map((f) => f.windowMs / 1000);

    const p50 = percentile(fresh.ms, 50);
    const p99 = percentile(fresh.ms, 99);
    const l50 = percentile(local.ms, 50);
    const l99 = percentile(local.ms, 99);
    return [
      { name: `local-only claim p50 (SQLite, ${SCANS} scans)`, value: l50, unit: 'ms' },
      { name: 'local-only claim p99', value: l99, unit: 'ms' },
      { name: `shared claim, new ticket p50 (${SCANS} scans)`, value: p50, unit: 'ms' },
      { name: 'shared claim, new ticket p99', value: p99, unit: 'ms' },
      { name: 'shared claim, held elsewhere p50', value: percentile(held.ms, 50), unit: 'ms' },
      { name: 'shared claim, held elsewhere p99', value: percentile(held.ms, 99), unit: 'ms' },
      { name: 'added by the shared check p50 (shared - local)', value: p50 - l50, unit: 'ms' },
      { name: 'added by the shared check p99 (shared - local)', value: p99 - l99, unit: 'ms' },
      { name: 'shared / local p50', value: p50 / l50, unit: 'x' },
      { name: `shared p99 within ${P99_BUDGET_MS} ms`, value: p99 <= P99_BUDGET_MS ? 1 : 0, unit: '(1 = yes)' },
      { name: `${GATES} gates together, ${GATES * SCANS} scans of ${SCANS} tickets`, value: (GATES * SCANS) / wallSec, unit: 'scans/s' },
      { name: 'boardings per ticket (must be 1)', value: boarded / SCANS, unit: '' },
      { name: `leader lost: gate answers alone, median of ${FAILOVER_RUNS} runs`, value: median(windows), unit: 's' },
      { name: 'leader lost: shortest window', value: Math.min(...windows), unit: 's' },
      { name: 'leader lost: longest window', value: Math.max(...windows), unit: 's' },
      { name: 'leader lost: scans answered alone per run (median, back to back)', value: median(failovers.map((f) => f.alone)), unit: '' },
    ];
  } finally {
    for (const g of gates) await g.store.close().catch(() => undefined);
    for (const db of dbs) db.close();
    await cluster.destroy();
    rmSync(dir, { recursive: true, force: true });
  }
}
