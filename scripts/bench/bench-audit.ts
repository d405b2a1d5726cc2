/**
 * Benchmark of the audit log's durable write: the latency `record()` adds to every scan before
 * its feedback may start (one INSERT, WAL, synchronous=FULL: one fsync per scan), compared with
 * synchronous=NORMAL (not durable across a power cut in WAL mode) to show what durability costs,
 * and with the clock-floor raise that follows each logged scan. The records are chained and
 * checkpointed as the service writes them; the chain's cost is the ratio against the same records
 * written unchained in the same run (every database written in turn, in interleaved rounds), for
 * an Ed25519 device key (SHA-256 chain) and an SM2 one (SM3 chain), and the bytes per record it adds.
 *
 * In `npm run bench` as the area "audit log"; alone: npm run build && node dist/scripts/bench/bench-audit.js [DIR] [N]
 * (DIR must be on the disk being measured; default the OS temporary directory).
 * @module
 */
import { mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { AuditLog, DEFAULT_CHECKPOINT_EVERY, type AuditEntry } from '../../firmware-ts/audit/audit-log.js';
import { makeDeviceKey } from '../../firmware-ts/audit/device-key.js';
import { ClockFloor } from '../../firmware-ts/clock/clock-floor.js';
import { openDatabase, type Db } from '../../firmware-ts/store/database.js';
import type { BenchRow } from './bench-row.js';
import { percentile } from './bench-stats.js';

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

/** How the records are written: chained with signed checkpoints as the service does (Ed25519 or SM2/SM3), or not. */
type Chaining = 'Ed25519' | 'SM2' | 'unchained';

/** One database being written: its log, and the latency of each record() so far. */
interface Writer {
  file: string;
  db: Db;
  log: AuditLog;
  floor: ClockFloor | null;
  times: number[];
  next: number;
}

function openWriter(file: string, synchronous: 'FULL' | 'NORMAL', withFloor: boolean, chaining: Chaining): Writer {
  const db = openDatabase(file);
  db.pragma(`synchronous = ${synchronous}`);
  // A device key made for the run, in the folder of its database (checkpoints are signed with it).
  const key = chaining === 'unchained' ? null : makeDeviceKey(file, chaining).key.signing;
  const log = new AuditLog(db, { deviceId: 'bench', operator: 'op' }, key ? { key, checkpointEvery: CHECKPOINT_EVERY } : { unchainedForBenchmark: true });
  return { file, db, log, floor: withFloor ? new ClockFloor(db, { buildTimeSec: 1_790_000_000 }) : null, times: [], next: 0 };
}

function writeRound(w: Writer, count: number): void {
  for (let k = 0; k < count; k++) {
    const i = w.next++;
    const t0 = performance.now();
    w.log.record(entry(i));
    w.floor?.noteScan({ nowSec: 1_790_000_000 + i, reliable: true });
    w.times.push(performance.now() - t0);
  }
}

function closeWriter(w: Writer): Latency & { bytes: number } {
  w.db.pragma('wal_checkpoint(TRUNCATE)');
  w.db.exec('VACUUM');
  w.db.close();
  const bytes = statSync(w.file).size;
  const times = [...w.times].sort((a, b) => a - b);
  return { mean: times.reduce((a, b) => a + b, 0) / times.length, p50: percentile(times, 50), p99: percentile(times, 99), max: times[times.length - 1]!, bytes };
}

/** Records each database gets in its turn (the order reversed every other round), so a burst of load hits them all alike. */
const ROUND = 10;
/**
 * A `count` checkpoint every this many records: the service's default. Every 100 would put the
 * commits that carry one (an extra page and a signature) at exactly 1 % of the records, so the p99
 * would be theirs by construction; their cost is the max row's.
 */
const CHECKPOINT_EVERY = DEFAULT_CHECKPOINT_EVERY;

export async function runAuditBench(dirArg?: string, n = 2000): Promise<BenchRow[]> {
  const dir = mkdtempSync(join(dirArg || tmpdir(), 'roadscan-bench-audit-'));
  const at = (name: string) => {
    mkdirSync(join(dir, name));
    return join(dir, name, 'audit.db');
  };
  try {
    // The chain's cost on the synchronous path (the worst case: the hash, and the signed
    // checkpoints, in the commit before the verdict), against the same records unchained,
    // interleaved in this run; and what it adds to the file.
    const writers = {
      full: openWriter(at('full'), 'FULL', false, 'Ed25519'),
      unchained: openWriter(at('unchained'), 'FULL', false, 'unchained'),
      sm2: openWriter(at('sm2'), 'FULL', false, 'SM2'),
      floor: openWriter(at('floor'), 'FULL', true, 'Ed25519'),
      normal: openWriter(at('normal'), 'NORMAL', false, 'Ed25519'),
    };
    const all = Object.values(writers);
    for (let r = 0, done = 0; done < n; r++, done += ROUND) {
      for (const w of r % 2 ? [...all].reverse() : all) writeRound(w, Math.min(ROUND, n - done));
    }
    const full = closeWriter(writers.full);
    const unchained = closeWriter(writers.unchained);
    const sm2 = closeWriter(writers.sm2);
    const withFloor = closeWriter(writers.floor);
    const normal = closeWriter(writers.normal);
    return [
      { name: 'record() FULL unchained, p99', value: unchained.p99, unit: 'ms' },
      { name: 'record() FULL chained + checkpoints / unchained, p99 (goal <= 1.1)', value: full.p99 / unchained.p99, unit: 'x' },
      { name: 'record() FULL chained + checkpoints / unchained, mean', value: full.mean / unchained.mean, unit: 'x' },
      { name: 'record() FULL SM3 chain + SM2 checkpoints / unchained, p99', value: sm2.p99 / unchained.p99, unit: 'x' },
      { name: 'record() FULL SM3 chain + SM2 checkpoints, max', value: sm2.max, unit: 'ms' },
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
