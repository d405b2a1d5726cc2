/**
 * The store of the signed documents sync accepted (signed-store/) on a real SQLite file: what a
 * sync writes is what every command reads back; a row damaged at rest is not held (the configured
 * document stays in force); `forgetSyncedTrust` forgets trust, rules and list in one go. And the
 * one "configured versus synced" rule (core/configured-or-synced.ts): the higher version wins, a
 * tie keeps the configured one.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { configuredOrSynced } from '../../../firmware-ts/core/configured-or-synced.js';
import { forgetSyncedTrust } from '../../../firmware-ts/app/forget-synced.js';
import { SignedStore } from '../../../firmware-ts/signed-store/index.js';
import { migrateStatusList } from '../../../firmware-ts/status/list/index.js';
import { openDatabase, type Db } from '../../../firmware-ts/store/database.js';

let dir: string;
let db: Db;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'roadscan-signed-store-'));
  db = openDatabase(join(dir, 'device.db'));
  migrateStatusList(db);
});
afterEach(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

const sha = (b: number) => Buffer.alloc(32, b);

describe('SignedStore', () => {
  it('holds nothing on a fresh database', () => {
    const store = new SignedStore(db);
    expect(store.trustJson()).toBeNull();
    expect(store.trustVersion()).toBeNull();
    expect(store.trustSha256()).toBeNull();
    expect(store.rules().size).toBe(0);
  });

  it('reads back what a sync wrote, from another connection; a sync without a trust list keeps the held one', () => {
    const store = new SignedStore(db);
    db.transaction(() =>
      store.writeSynced(
        { trust: { json: '{"version":5}', version: 5, sha256: sha(1) }, rules: [{ name: 'adoption', version: 3, json: '{"version":3}', sha256: sha(2) }] },
        1000,
      ),
    )();
    db.transaction(() => store.writeSynced({ trust: null, rules: [{ name: 'adoption', version: 4, json: '{"version":4}', sha256: sha(3) }] }, 2000))();
    const other = openDatabase(join(dir, 'device.db'));
    try {
      const read = new SignedStore(other);
      expect(read.trustJson()).toEqual({ version: 5 });
      expect(read.trustVersion()).toBe(5);
      expect(read.trustSha256()).toEqual(sha(1));
      expect([...read.rules()]).toEqual([['adoption', { version: 4, json: { version: 4 } }]]);
    } finally {
      other.close();
    }
  });

  it('does not hold a document damaged at rest', () => {
    const store = new SignedStore(db);
    db.transaction(() =>
      store.writeSynced({ trust: { json: '{"version":5', version: 5, sha256: sha(1) }, rules: [{ name: 'policy', version: 2, json: 'not json', sha256: sha(2) }] }, 1000),
    )();
    expect(store.trustJson()).toBeNull();
    expect(store.rules().size).toBe(0);
  });

  it('forgets trust, rules and the list together', () => {
    const store = new SignedStore(db);
    db.transaction(() =>
      store.writeSynced({ trust: { json: '{"version":5}', version: 5, sha256: sha(1) }, rules: [{ name: 'adoption', version: 3, json: '{}', sha256: sha(2) }] }, 1),
    )();
    db.prepare('UPDATE status_state SET seq = 7, entries = 3 WHERE id = 1').run();
    forgetSyncedTrust(db);
    expect(store.trustJson()).toBeNull();
    expect(store.trustVersion()).toBeNull();
    expect(store.rules().size).toBe(0);
    expect(db.prepare('SELECT seq, entries FROM status_state WHERE id = 1').get()).toEqual({ seq: null, entries: 0 });
  });
});

describe('configured versus synced', () => {
  const v = (version: number, from: string) => ({ version, from });
  it('the higher version wins; a tie keeps the configured one; either alone is in force; neither: none', () => {
    expect(configuredOrSynced(v(3, 'c'), v(4, 's'))).toEqual({ doc: v(4, 's'), source: 'synced' });
    expect(configuredOrSynced(v(4, 'c'), v(4, 's'))).toEqual({ doc: v(4, 'c'), source: 'configured' });
    expect(configuredOrSynced(v(5, 'c'), v(4, 's'))).toEqual({ doc: v(5, 'c'), source: 'configured' });
    expect(configuredOrSynced(null, v(1, 's'))).toEqual({ doc: v(1, 's'), source: 'synced' });
    expect(configuredOrSynced(v(1, 'c'), null)).toEqual({ doc: v(1, 'c'), source: 'configured' });
    expect(configuredOrSynced(null, null)).toBeNull();
  });
});
