/**
 * The boarding record written behind the answer (local-once-only-store.ts with the audit writer's
 * worker, once-only-write-behind.ts), on real SQLite files: a claim answers at once and is durable after the writer's next
 * commit; a second claim of the same ticket is taken before and after that; a release queued
 * behind its claim undoes it in order; a record another connection wrote meanwhile is reported,
 * and a worker whose commits fail reports `boarding` to StorageHealth and recovers by itself.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AuditLog } from '../../../firmware-ts/audit/audit-log.js';
import { AuditWriter } from '../../../firmware-ts/audit/audit-writer.js';
import { LocalOnceOnlyStore } from '../../../firmware-ts/station/local-once-only-store.js';
import { onceOnlyWriteBehind, type OnceWriteProblem } from '../../../firmware-ts/station/once-only-write-behind.js';
import type { OnceRecord } from '../../../firmware-ts/station/once-only.js';
import { openDatabase, type Db } from '../../../firmware-ts/store/database.js';
import { StorageHealth } from '../../../firmware-ts/store/storage-health.js';

const META = { deviceId: 'gate-1', operator: '' };
const KEY = 'b2'.repeat(16);
const rec = (device: string, atSec = 1000, scanId = `scan-${device}`): OnceRecord => ({ action: 'boarded', device, atSec, scanId });

let dir: string;
let file: string;
let db: Db;
let writer: AuditWriter;
let health: StorageHealth;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'roadscan-behind-'));
  file = join(dir, 'gate.db');
  db = openDatabase(file);
  new AuditLog(db, META);
  new LocalOnceOnlyStore(db); // the tables, before the worker opens its connection
  health = new StorageHealth();
  writer = new AuditWriter({ file, meta: META, health, retryMinMs: 20, retryMaxMs: 50 });
});
afterEach(async () => {
  await writer.close();
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

/** What another process sees: the file through its own connection. */
function onDisk(): OnceRecord | null {
  const other = openDatabase(file);
  try {
    return new LocalOnceOnlyStore(other).lookupSync(KEY, 'boarded');
  } finally {
    other.close();
  }
}

describe('LocalOnceOnlyStore written behind', () => {
  it('answers a claim at once, once, and makes it durable in the next commit', async () => {
    const store = new LocalOnceOnlyStore(db, { writeBehind: onceOnlyWriteBehind(writer) });
    expect(store.claimSync(KEY, rec('gate-1'), 5000)).toEqual({ result: 'claimed', offline: false });
    // Not on disk yet, but this process already answers with it.
    expect(store.unwritten).toBe(1);
    expect(store.claimSync(KEY, rec('gate-1', 1001, 'again'), 5000)).toEqual({ result: 'taken', by: rec('gate-1'), offline: false });
    expect(await writer.idle()).toBe(true);
    expect(store.unwritten).toBe(0);
    expect(onDisk()).toEqual(rec('gate-1'));
    expect(store.claimSync(KEY, rec('gate-1', 1002, 'later'), 5000).result).toBe('taken');
  });

  it('undoes a claim released before it reached the disk, in order', async () => {
    const store = new LocalOnceOnlyStore(db, { writeBehind: onceOnlyWriteBehind(writer) });
    expect(store.claimSync(KEY, rec('gate-1'), 5000).result).toBe('claimed');
    expect(store.releaseSync(KEY, rec('gate-1'))).toBe(true);
    expect(store.lookupSync(KEY, 'boarded')).toBeNull();
    expect(store.claimSync(KEY, rec('gate-1', 1003, 'real-passenger'), 5000).result).toBe('claimed');
    expect(await writer.idle()).toBe(true);
    expect(onDisk()).toEqual(rec('gate-1', 1003, 'real-passenger'));
  });

  it('reports a ticket another process recorded between the answer and the write', async () => {
    const problems: OnceWriteProblem[] = [];
    const store = new LocalOnceOnlyStore(db, { writeBehind: onceOnlyWriteBehind(writer), onWriteProblem: (p) => problems.push(p) });
    // Another process (a `roadscan verify` on the same file) holds the write lock...
    const other = openDatabase(file);
    other.exec('BEGIN IMMEDIATE');
    // ...while this one answers from its read and hands the insert behind (it waits for the lock).
    expect(store.claimSync(KEY, rec('gate-1'), 5000).result).toBe('claimed');
    other
      .prepare('INSERT INTO once_only (entry_key, action, device, at_sec, scan_id, expires_at) VALUES (?, ?, ?, ?, ?, ?)')
      .run(KEY, 'boarded', 'verify', 999, 'v', 5000);
    other.exec('COMMIT');
    other.close();
    expect(await writer.idle()).toBe(true);
    expect(problems.map((p) => [p.kind, p.record?.scanId])).toEqual([['taken-meanwhile', 'scan-gate-1']]);
    // The database's record is the answer from now on.
    expect(store.lookupSync(KEY, 'boarded')?.device).toBe('verify');
  });

  it('a failing commit is a boarding fault that clears by itself once the disk takes writes', async () => {
    const store = new LocalOnceOnlyStore(db, { writeBehind: onceOnlyWriteBehind(writer) });
    const events: string[] = [];
    health.onChange((e) => events.push(`${e.kind}:${e.source}`));
    // A trigger that refuses inserts is the disk refusing them, until it is dropped.
    db.exec(`CREATE TRIGGER refuse BEFORE INSERT ON once_only BEGIN SELECT RAISE(ABORT, 'disk says no'); END`);
    expect(store.claimSync(KEY, rec('gate-1'), 5000).result).toBe('claimed');
    const deadline = Date.now() + 5000;
    while (health.ok && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    expect(health.problems()).toEqual([expect.stringMatching(/^boarding records not written: .*disk says no/)]);
    // Still answered from memory while the disk refuses: the ticket cannot board twice meanwhile.
    expect(store.claimSync(KEY, rec('gate-1', 1001, 'again'), 5000).result).toBe('taken');
    db.exec('DROP TRIGGER refuse');
    expect(await writer.idle()).toBe(true);
    expect(health.ok).toBe(true);
    expect(events).toContain('fault:boarding');
    expect(events).toContain('recovered:boarding');
    expect(health.failureCount('boarding')).toBeGreaterThan(0);
    expect(onDisk()).toEqual(rec('gate-1'));
  });
});
