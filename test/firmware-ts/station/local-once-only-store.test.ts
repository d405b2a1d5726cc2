/**
 * LocalOnceOnlyStore on real SQLite files: first writer wins (also across two connections, as
 * two processes on one database would be), a release undoes only the exact record held, records
 * expire, and the older boarded_ticket table is absorbed by the migration.
 * @module
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LEGACY_KEEP_SEC, LocalOnceOnlyStore } from '../../../firmware-ts/station/local-once-only-store.js';
import type { OnceRecord } from '../../../firmware-ts/station/once-only.js';
import { openDatabase } from '../../../firmware-ts/store/database.js';

const dir = mkdtempSync(join(tmpdir(), 'roadscan-once-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const dbFile = () => join(dir, `once-${n++}.db`);
const KEY = 'a1'.repeat(16);
const rec = (device: string, atSec = 1000, scanId = `scan-${device}`): OnceRecord => ({ action: 'boarded', device, atSec, scanId });

describe('LocalOnceOnlyStore', () => {
  it('claims once: the second claim is taken by the first record', async () => {
    const store = new LocalOnceOnlyStore(openDatabase(dbFile()));
    expect(await store.lookup(KEY, 'boarded')).toEqual({ record: null, offline: false });
    expect(await store.claim(KEY, rec('gate-1'), 5000)).toEqual({ result: 'claimed', offline: false });
    expect(await store.claim(KEY, rec('gate-2', 1001), 5000)).toEqual({ result: 'taken', by: rec('gate-1'), offline: false });
    expect((await store.lookup(KEY, 'boarded')).record).toEqual(rec('gate-1'));
    // The other action of the same ticket is a separate record.
    expect((await store.lookup(KEY, 'voucher')).record).toBeNull();
    expect((await store.claim(KEY, { ...rec('window-1'), action: 'voucher' }, 5000)).result).toBe('claimed');
  });

  it('first writer wins across two connections to one file', async () => {
    const file = dbFile();
    const a = new LocalOnceOnlyStore(openDatabase(file));
    const b = new LocalOnceOnlyStore(openDatabase(file));
    const [ra, rb] = await Promise.all([a.claim(KEY, rec('a'), 5000), b.claim(KEY, rec('b'), 5000)]);
    expect([ra.result, rb.result].sort()).toEqual(['claimed', 'taken']);
    const winner = (await a.lookup(KEY, 'boarded')).record!;
    expect((await b.lookup(KEY, 'boarded')).record).toEqual(winner);
  });

  it('releases only the exact record it holds', async () => {
    const store = new LocalOnceOnlyStore(openDatabase(dbFile()));
    await store.claim(KEY, rec('gate-1'), 5000);
    expect(await store.release(KEY, rec('gate-2'))).toEqual({ released: false, offline: false });
    expect(await store.release(KEY, { ...rec('gate-1'), scanId: 'another-scan' })).toEqual({ released: false, offline: false });
    expect(await store.release(KEY, rec('gate-1'))).toEqual({ released: true, offline: false });
    expect((await store.lookup(KEY, 'boarded')).record).toBeNull();
    expect(await store.release(KEY, rec('gate-1'))).toEqual({ released: false, offline: false });
    // Once released, the real passenger's scan claims it.
    expect((await store.claim(KEY, rec('gate-2', 1100), 5000)).result).toBe('claimed');
  });

  it('keeps a record without a scan id and releases it by its exact shape', async () => {
    const store = new LocalOnceOnlyStore(openDatabase(dbFile()));
    const bare: OnceRecord = { action: 'boarded', device: 'gate-1', atSec: 7 };
    await store.claim(KEY, bare, 5000);
    expect((await store.lookup(KEY, 'boarded')).record).toEqual(bare);
    expect((await store.release(KEY, bare)).released).toBe(true);
  });

  it('refuses malformed keys and records with a TypeError, never a silent write', async () => {
    const store = new LocalOnceOnlyStore(openDatabase(dbFile()));
    await expect(store.lookup('ABC', 'boarded')).rejects.toThrow(TypeError);
    await expect(store.claim(KEY.toUpperCase(), rec('g'), 1)).rejects.toThrow(/hex/);
    await expect(store.claim(KEY, { ...rec('g'), device: 'bad\u0007id' }, 1)).rejects.toThrow(/malformed/);
    await expect(store.claim(KEY, { ...rec('g'), atSec: 1.5 }, 1)).rejects.toThrow(/malformed/);
    await expect(store.claim(KEY, rec('g'), Number.NaN)).rejects.toThrow(/expiresAtSec/);
    expect(store.count()).toBe(0);
  });

  it('purges records whose ticket has expired, and lists records for a hand-over', async () => {
    const store = new LocalOnceOnlyStore(openDatabase(dbFile()));
    await store.claim('01'.repeat(16), rec('g', 100), 1000);
    await store.claim('02'.repeat(16), rec('g', 200), 3000);
    expect(store.recordsSince(150).map((r) => r.key)).toEqual(['02'.repeat(16)]);
    expect(store.purge(2000)).toBe(1);
    expect(store.count()).toBe(1);
    expect((await store.lookup('01'.repeat(16), 'boarded')).record).toBeNull();
  });

  it('survives a reopen (the record is on disk)', async () => {
    const file = dbFile();
    const db = openDatabase(file);
    await new LocalOnceOnlyStore(db).claim(KEY, rec('gate-1'), 5000);
    db.close();
    const again = new LocalOnceOnlyStore(openDatabase(file));
    expect((await again.claim(KEY, rec('gate-1', 2000), 5000)).result).toBe('taken');
  });

  it('migration absorbs the older boarded_ticket table', async () => {
    const file = dbFile();
    const old = openDatabase(file);
    old.exec(`CREATE TABLE boarded_ticket (entry_key BLOB PRIMARY KEY, boarded_at INTEGER NOT NULL) WITHOUT ROWID;
      INSERT INTO schema_version (feature, version) VALUES ('boarding', 1);`);
    old.prepare('INSERT INTO boarded_ticket VALUES (?, ?)').run(Buffer.from(KEY, 'hex'), 1234);
    old.close();
    const db = openDatabase(file);
    const store = new LocalOnceOnlyStore(db);
    expect((await store.lookup(KEY, 'boarded')).record).toEqual({ action: 'boarded', device: 'legacy', atSec: 1234 });
    expect(store.recordsSince(0)[0]!.expiresAtSec).toBe(1234 + LEGACY_KEEP_SEC);
    expect(db.prepare("SELECT count(*) AS n FROM sqlite_master WHERE name = 'boarded_ticket'").get()).toEqual({ n: 0 });
    expect(db.prepare("SELECT version FROM schema_version WHERE feature = 'once-only'").get()).toEqual({ version: 1 });
    // Opening again runs nothing twice.
    expect(() => new LocalOnceOnlyStore(db)).not.toThrow();
  });
});
