/**
 * Benchmark of the audit log's durable write: the latency `record()` adds to every scan before
 * its feedback may start (one INSERT, WAL, synchronous=FULL: one fsync per scan), compared with
 * synchronous=NORMAL (not durable across a power cut in WAL mode) to show what durability costs,
 * and with the clock-floor raise that follows each logged scan.
 *
 * In `npm run bench` as the area "audit log"; alone: npm run build && node dist/scripts/bench-audit.js [DIR] [N]
 * (DIR must be on the disk being measured; default the OS temporary directory).
 * @module
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { AuditLog, type AuditEntry } from '../firmware-ts/audit/audit-log.js';
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

function measure(file: string, n: number, synchronous: 'FULL' | 'NORMAL', withFloor: boolean): Latency {
  const db = openDatabase(file);
  db.pragma(`synchronous = ${synchronous}`);
  const log = new AuditLog(db, { deviceId: 'bench', operator: 'op' });
  const floor = new ClockFloor(db, { buildTimeSec: 1_790_000_000 });
  const times: number[] = [];
  try {
    for (let i = 0; i < n; i++) {
      const t0 = performance.now();
      log.record(entry(i));
      if (withFloor) floor.noteScan({ nowSec: 1_790_000_000 + i, reliable: true });
      times.push(performance.now() - t0);
    }
  } finally {
    db.close();
  }
  times.sort((a, b) => a - b);
  const at = (p: number) => times[Math.min(times.length - 1, Math.floor((times.length * p) / 100))]!;
  return { mean: times.reduce((a, b) => a + b, 0) / times.length, p50: at(50), p99: at(99), max: times[times.length - 1]! };
}

export async function runAuditBench(dirArg?: string, n = 2000): Promise<BenchRow[]> {
  const dir = mkdtempSync(join(dirArg ?? tmpdir(), 'roadscan-bench-audit-'));
  try {
    const full = measure(join(dir, 'full.db'), n, 'FULL', false);
    const withFloor = measure(join(dir, 'floor.db'), n, 'FULL', true);
    const normal = measure(join(dir, 'normal.db'), n, 'NORMAL', false);
    return [
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
