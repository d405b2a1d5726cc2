/**
 * Benchmark of the audit log's durable write: the latency `record()` adds to every scan before
 * its feedback may start (one INSERT, WAL, synchronous=FULL: one fsync per scan), compared with
 * synchronous=NORMAL (not durable across a power cut in WAL mode) to show what durability costs,
 * and with the clock-floor raise that follows each logged scan. The records are chained and
 * checkpointed as the service writes them; the chain's cost is the ratio against the same records
 * written unchained in the same run, and the bytes per record it adds.
 *
 * In `npm run bench` as the area "audit log"; alone: npm run build && node dist/scripts/bench-audit.js [DIR] [N]
 * (DIR must be on the disk being measured; default the OS temporary directory).
 * @module
 */
import { createPublicKey, generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { AuditLog, type AuditEntry } from '../firmware-ts/audit/audit-log.js';
import { deviceKeyInfoOf } from '../firmware-ts/audit/device-key.js';
import { ClockFloor } from '../firmware-ts/clock/clock-floor.js';
import { openDatabase } from '../firmware-ts/store/database.js';
import type { BenchRow } from './bench-row.js';

function entry(i: number): AuditEntry {
  return {
    atSec: 1_790_000_000 + i,
    reliable: true,
    profile: 'roadside',
    region: '110105',
    station: null,
    result: { verdict: 'accept', reasons: [], type: 'DL', statusKey: i.toString(16).padStart(32, '0'), ms: 0.4 },
  };
}

interface Latency {
  mean: number;
  p50: number;
  p99: number;
  max: number;
}

/** How the records are written: chained with checkpoints signed every 100 (the service's way), or not. */
type Chaining = 'chained' | 'unchained';

/** A device key made for the run (the chain's checkpoints are signed with it). */
function benchKey() {
  const pem = generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  return { pem, id: deviceKeyInfoOf(createPublicKey(pem)).id, alg: 'Ed25519' as const };
}

function measure(file: string, n: number, synchronous: 'FULL' | 'NORMAL', withFloor: boolean, chaining: Chaining = 'chained'): Latency & { bytes: number } {
  const db = openDatabase(file);
  db.pragma(`synchronous = ${synchronous}`);
  const log = new AuditLog(
    db,
    { deviceId: 'bench', operator: 'op' },
    chaining === 'chained' ? { key: benchKey(), checkpointEvery: 100 } : { unchainedForBenchmark: true },
  );
  const floor = new ClockFloor(db, { buildTimeSec: 1_790_000_000 });
  const times: number[] = [];
  try {
    for (let i = 0; i < n; i++) {
      const t0 = performance.now();
      log.record(entry(i));
      if (withFloor) floor.noteScan({ nowSec: 1_790_000_000 + i, reliable: true });
      times.push(performance.now() - t0);
    }
    db.pragma('wal_checkpoint(TRUNCATE)');
    db.exec('VACUUM');
  } finally {
    db.close();
  }
  const bytes = statSync(file).size;
  times.sort((a, b) => a - b);
  const at = (p: number) => times[Math.min(times.length - 1, Math.floor((times.length * p) / 100))]!;
  return { mean: times.reduce((a, b) => a + b, 0) / times.length, p50: at(50), p99: at(99), max: times[times.length - 1]!, bytes };
}

export async function runAuditBench(dirArg?: string, n = 2000): Promise<BenchRow[]> {
  const dir = mkdtempSync(join(dirArg ?? tmpdir(), 'roadscan-bench-audit-'));
  try {
    const full = measure(join(dir, 'full.db'), n, 'FULL', false);
    const withFloor = measure(join(dir, 'floor.db'), n, 'FULL', true);
    const normal = measure(join(dir, 'normal.db'), n, 'NORMAL', false);
    // The chain's cost on the synchronous path (the worst case: the hash, the head and every
    // 100th record a signed checkpoint in the commit before the verdict), against the same
    // records unchained, in this run; and what it adds to the file.
    const unchained = measure(join(dir, 'unchained.db'), n, 'FULL', false, 'unchained');
    return [
      { name: 'record() FULL unchained, p99', value: unchained.p99, unit: 'ms' },
      { name: 'record() FULL chained + checkpoints / unchained, p99', value: full.p99 / unchained.p99, unit: 'x' },
      { name: 'record() FULL chained + checkpoints / unchained, mean', value: full.mean / unchained.mean, unit: 'x' },
      { name: 'bytes per record added by the chain (file after VACUUM)', value: (full.bytes - unchained.bytes) / n, unit: 'B' },
      { name: `record() FULL, mean of ${n}`, value: full.mean, unit: 'ms' },
      { name: 'record() FULL, p50', value: full.p50, unit: 'ms' },
      { name: 'record() FULL, p99', value: full.p99, unit: 'ms' },
      { name: 'record() FULL, max', value: full.max, unit: 'ms' },
      { name: 'record() + clock floor, mean', value: withFloor.mean, unit: 'ms' },
      { name: 'record() NORMAL (not durable), mean', value: normal.mean, unit: 'ms' },
      { name: 'FULL / NORMAL', value: full.mean / normal.mean, unit: 'x' },
      { name: 'durable scans per second (1 / mean)', value: 1000 / full.mean, unit: '/s' },
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const { formatRows } = await import('./bench-row.js');
  const rows = await runAuditBench(process.argv[2], process.argv[3] ? Number(process.argv[3]) : undefined);
  console.log(formatRows('audit log', rows));
}
