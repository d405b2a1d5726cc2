import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { entryKey, reasonForStatus } from '../../../firmware-ts/status/list/index.js';
import { openDatabase } from '../../../firmware-ts/store/database.js';
import { statusDataDir } from '../../../firmware-ts/status/list/index.js';
import { StatusListStore } from '../../../firmware-ts/status/list/index.js';
import { syncOnce } from '../../../firmware-ts/status/sync/index.js';
import { parseTrustList } from '../../../firmware-ts/verify/trust-list.js';
import { StatusServer } from '../../../sim/status/status-server.js';
import { vectors } from '../../helpers/vectors.js';
import { tempDir } from './status-fixture.js';

describe('status list of the known-answer vectors, served over HTTP', () => {
  const root = tempDir();
  const www = join(root, 'www');
  let server: StatusServer;
  beforeAll(async () => {
    mkdirSync(www, { recursive: true });
    for (const [name, hexBytes] of Object.entries(vectors.statusList.files)) writeFileSync(join(www, name), Buffer.from(hexBytes, 'hex'));
    server = await StatusServer.start(www);
  });
  afterAll(async () => {
    await server.close();
    rmSync(root, { recursive: true, force: true });
  });

  it('syncs snapshot 1 plus delta 1->2 and answers as the vector note says', async () => {
    const dbFile = join(root, 'scanner.db');
    const db = openDatabase(dbFile);
    const trust = parseTrustList(vectors.trust);
    const out = await syncOnce({ db, dataDir: statusDataDir(dbFile), baseUrl: server.url, trust, timeoutMs: 2000 });
    expect(out.error).toBeUndefined();
    expect(out).toMatchObject({ ok: true, seq: 2, applied: 'snapshot', entries: 3 });
    expect(server.requests).toEqual(['/manifest.cose', '/snap-1.bin', '/delta-1-2.bin']);
    const store = StatusListStore.open(db, statusDataDir(dbFile));
    const k = vectors.statusList.entryKeys;
    const reason = (hex: string) => reasonForStatus(store.statusOf(Buffer.from(hex, 'hex')));
    expect(reason(k.vr!)).toBe('REVOKED');
    expect(reason(k.va!)).toBe('AUTHORIZATION_CANCELLED');
    expect(reason(k.tk!)).toBe('TICKET_REFUNDED');
    expect(reason(k.dl!)).toBeNull();
    expect(store.seq()).toBe(2);
    expect(store.listIat()).toBe(out.iat);
    // A second sync finds nothing to do and still records the manifest.
    const again = await syncOnce({ db, dataDir: statusDataDir(dbFile), baseUrl: server.url, trust, timeoutMs: 2000 });
    expect(again).toMatchObject({ ok: true, seq: 2, applied: 'none', entries: 3 });
    store.close();
    db.close();
  });

  it('the entry keys are those of the vectors credentials', () => {
    // entryKey(iss, cti) is the lead's; here only the keys' shape matters for the lookups above.
    for (const hex of Object.values(vectors.statusList.entryKeys)) expect(hex).toMatch(/^[0-9a-f]{32}$/);
    expect(entryKey('CN-MPS-110000', new Uint8Array(16))).toHaveLength(16);
  });
});
