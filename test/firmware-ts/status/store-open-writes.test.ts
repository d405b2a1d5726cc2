/**
 * Opening the status list writes nothing when nothing is left to sweep: every `roadscan verify`
 * opens it, and a write there (the sync lock taken and given back) cost two disk flushes per
 * check. What an interrupted sync left behind is still swept at the next opening. Real SQLite
 * files and a real list synced over HTTP on loopback (status-fixture.ts).
 */
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { StatusListStore } from '../../../firmware-ts/status/list/index.js';
import { openDatabase } from '../../../firmware-ts/store/database.js';
import { StatusWorld, randomKeyHex } from './status-fixture.js';

describe('StatusListStore.open', () => {
  let w: StatusWorld;
  beforeEach(async () => {
    w = await StatusWorld.create();
  });
  afterEach(() => w.close());

  it('a clean synced list: a fresh connection opens it without one change', async () => {
    w.publish({ [randomKeyHex()]: 1 });
    await w.sync();
    const db = openDatabase(w.dbFile);
    try {
      const changes = () => db.prepare('SELECT total_changes()').pluck().get() as number;
      const before = changes();
      const store = StatusListStore.open(db, w.dataDir);
      expect(changes()).toBe(before);
      expect(store.entries()).toBe(1);
      store.close();
    } finally {
      db.close();
    }
  });

  it('a file an interrupted sync left: swept at the next opening', async () => {
    w.publish({ [randomKeyHex()]: 1 });
    await w.sync();
    const leftover = join(w.dataDir, '.tmp-interrupted-download');
    writeFileSync(leftover, 'half a snapshot');
    const store = StatusListStore.open(w.db, w.dataDir);
    expect(existsSync(leftover)).toBe(false);
    expect(store.entries()).toBe(1);
    store.close();
  });
});
