/**
 * The audit writer with a real SQLite file: records are durable off the event loop, in group
 * commits, and only counted once committed, also while another connection writes all the time
 * (it waits for the lock, no SQLITE_BUSY); a slow disk (each commit 200 ms longer) batches
 * instead of queueing one flush per scan; a writer closed with records queued writes them first.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AuditLog, type AuditEntry } from '../../../firmware-ts/audit/audit-log.js';
import { AuditWriter } from '../../../firmware-ts/audit/audit-writer.js';
import { openDatabase, type Db } from '../../../firmware-ts/store/database.js';
import { StorageHealth } from '../../../firmware-ts/store/storage-health.js';
import { PACKAGE_ROOT } from '../../../firmware-ts/paths.js';

const META = { deviceId: 'unit-1', operator: '' };
const entry = (i: number): AuditEntry => ({
  atSec: 1_790_000_000 + i,
  reliable: true,
  profile: 'roadside',
  region: '110105',
  station: null,
  result: { verdict: 'accept', reasons: [], type: 'DL', statusKey: null, ms: 1.5 },
});

let dir: string;
let db: Db;
let log: AuditLog;
const writers: AuditWriter[] = [];
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'roadscan-writer-'));
  db = openDatabase(join(dir, 'unit.db'));
  log = new AuditLog(db, META);
});
afterEach(async () => {
  await Promise.all(writers.splice(0).map((w) => w.close()));
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

function writer(opts: Partial<ConstructorParameters<typeof AuditWriter>[0]> = {}): AuditWriter {
  const w = new AuditWriter({ file: join(dir, 'unit.db'), meta: META, ...opts });
  writers.push(w);
  return w;
}

/**
 * Another connection to the same file that writes all the time (as the service's main thread does:
 * the clock floor, the list, the once-only store), in short IMMEDIATE transactions, until killed.
 */
function busyNeighbour(file: string): ChildProcess {
  const code = `
    const db = new (require('better-sqlite3'))(process.argv[1]);
    db.pragma('journal_mode = WAL');
    db.pragma('busy_timeout = 5000');
    db.exec('CREATE TABLE IF NOT EXISTS neighbour (n INTEGER)');
    const put = db.prepare('INSERT INTO neighbour (n) VALUES (?)');
    const write = db.transaction((n) => { put.run(n); });
    console.log('writing');
    for (let n = 0; ; n++) write.immediate(n);
  `;
  return spawn(process.execPath, ['-e', code, file], { cwd: PACKAGE_ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
}

describe('AuditWriter', () => {
  it('waits for the write lock of another connection instead of failing a commit (no SQLITE_BUSY)', async () => {
    const health = new StorageHealth();
    const faults: string[] = [];
    health.onChange((e) => {
      if (e.kind === 'fault') faults.push(e.error ?? '');
    });
    const neighbour = busyNeighbour(join(dir, 'unit.db'));
    try {
      await new Promise((r) => neighbour.stdout!.once('data', r));
      const w = writer({ health });
      // One commit per record or so: each a chance to meet the neighbour's lock.
      for (let i = 0; i < 300; i++) {
        w.submit(entry(i));
        await new Promise((r) => setTimeout(r, 2));
      }
      expect(await w.idle(30_000)).toBe(true);
      expect(w.fault).toBeNull();
      expect(faults).toEqual([]);
    } finally {
      const gone = new Promise((r) => neighbour.once('exit', r));
      neighbour.kill('SIGKILL');
      await gone;
    }
    expect(log.count()).toBe(300);
  });

  it('makes every record durable in order, and only then counts it', async () => {
    const durable: number[] = [];
    const w = writer({ onDurable: (rs) => durable.push(...rs.map((r) => r.seq)) });
    for (let i = 0; i < 500; i++) w.submit(entry(i));
    // Nothing is acknowledged at submit time: the scan path did not wait for the disk.
    expect(w.unwritten).toBe(500);
    expect(await w.idle()).toBe(true);
    expect(w.unwritten).toBe(0);
    expect(log.count()).toBe(500);
    expect(durable).toEqual(Array.from({ length: 500 }, (_, i) => i + 1));
    expect([...log.export(0)].map((r) => Date.parse(r.at) / 1000)).toEqual(Array.from({ length: 500 }, (_, i) => 1_790_000_000 + i));
  });

  it('groups the scans that arrive during a slow flush into one commit', async () => {
    const batches: number[] = [];
    const waits: number[] = [];
    const w = writer({ flushDelayMs: 200, onDurable: (rs) => (batches.push(rs.length), waits.push(...rs.map((r) => r.waitedMs))) });
    for (let i = 0; i < 40; i++) {
      w.submit(entry(i));
      await new Promise((r) => setTimeout(r, 10));
    }
    expect(await w.idle()).toBe(true);
    expect(log.count()).toBe(40);
    // 40 scans over ~400 ms with 200 ms per commit: a handful of commits, not 40.
    expect(batches.length).toBeLessThanOrEqual(8);
    // Each within two commits of its scan: well inside the 1 s accept pattern.
    expect(Math.max(...waits)).toBeLessThan(1000);
  });

  it('refuses a malformed record at submit, before it reaches the worker', () => {
    const w = writer();
    expect(() => w.submit({ ...entry(0), result: { ...entry(0).result, verdict: 'maybe' as never } })).toThrow(/unknown verdict/);
    expect(w.unwritten).toBe(0);
  });

  it('writes what is queued when closed', async () => {
    const health = new StorageHealth();
    const w = writer({ health, flushDelayMs: 50 });
    for (let i = 0; i < 100; i++) w.submit(entry(i));
    expect(await w.close()).toBe(0);
    expect(log.count()).toBe(100);
    expect(health.ok).toBe(true);
  });
});
