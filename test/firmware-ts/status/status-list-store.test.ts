/**
 * The store as the verifier and the service see it: answers during a sync, across connections
 * (another process), with a damaged data dir, with unknown status bytes, and the sync-side
 * records (iat, trust list, lock).
 */
import { readdirSync, rmSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseTrustList } from '../../../firmware-ts/verify/trust-list.js';
import { reasonForStatus } from '../../../firmware-ts/status/list/index.js';
import { StatusListStore } from '../../../firmware-ts/status/list/index.js';
import { SignedStore } from '../../../firmware-ts/signed-store/index.js';
import { listAge } from '../../../firmware-ts/core/staleness.js';
import { openDatabase } from '../../../firmware-ts/store/database.js';
import { republish } from '../../../sim/status/status-publisher.js';
import { StatusWorld, randomKeyHex } from './status-fixture.js';

const A = randomKeyHex();
const B = randomKeyHex();
const C = randomKeyHex();
const key = (hex: string) => Buffer.from(hex, 'hex');

describe('StatusListStore', () => {
  let w: StatusWorld;
  beforeEach(async () => {
    w = await StatusWorld.create();
  });
  afterEach(() => w.close());

  it('never synced: nothing listed, and no iat, so every scan is STATUS_LIST_STALE', () => {
    const store = w.openStore();
    expect(store.statusOf(key(A))).toBe(0);
    expect(store.listIat()).toBeNull();
    expect(store.seq()).toBeNull();
    expect(store.entries()).toBe(0);
    expect(new SignedStore(w.db).trustJson()).toBeNull();
    expect(listAge(store.listIat(), 2_000_000_000, 86400)).toEqual({ stale: true, ageSec: null });
    store.close();
  });

  it('answers from the old list while a sync downloads, and from the new one once it is in place', async () => {
    w.publish({ [A]: 1, [B]: 2 });
    await w.sync();
    const store = w.openStore();
    const seen: string[] = [];
    const duringSync = async (seq: number, extra: Parameters<StatusWorld['sync']>[0] = {}) => {
      let done = false;
      let lookups = 0;
      const sync = w.sync({ ...extra, onProgress: () => seen.push(...w.expectMatches(store, seq)) }).finally(() => {
        done = true;
      });
      while (!done) {
        seen.push(...w.expectMatches(store, seq));
        lookups++;
        await new Promise((r) => setTimeout(r, 5));
      }
      expect(lookups).toBeGreaterThan(2);
      return sync;
    };
    // A snapshot trickles in (no delta offered)...
    w.publish({ [A]: 0, [C]: 4 }, { keepDeltas: 0 });
    w.server.faults.set('/snap-2.bin', { kind: 'slow', bytesPerTick: 2 });
    expect(await duringSync(1)).toMatchObject({ ok: true, seq: 2, applied: 'snapshot' });
    expect(w.expectMatches(store, 2)).toEqual([]);
    // ...then a delta.
    w.publish({ [B]: 0, [A]: 3 });
    w.server.faults.set('/delta-2-3.bin', { kind: 'slow', bytesPerTick: 2 });
    expect(await duringSync(2)).toMatchObject({ ok: true, seq: 3, applied: 'deltas' });
    expect(w.expectMatches(store, 3)).toEqual([]);
    // A sync that fails half-way leaves the old list answering.
    w.publish({ [C]: 0 });
    w.server.faults.set('/delta-3-4.bin', { kind: 'truncate', afterBytes: 40 });
    expect((await w.sync()).ok).toBe(false);
    expect(seen).toEqual([]);
    expect(w.expectMatches(store, 3)).toEqual([]);
    store.close();
  });

  it('a store on another connection (another process) follows a sync and survives the old file going', async () => {
    w.publish({ [A]: 1, [B]: 2 });
    await w.sync();
    const otherDb = openDatabase(w.dbFile);
    const other = StatusListStore.open(otherDb, w.dataDir);
    expect(w.expectMatches(other, 1)).toEqual([]);
    const oldFiles = readdirSync(w.dataDir);
    w.publish({ [A]: 0, [C]: 7 }, { keepDeltas: 0 });
    expect((await w.sync()).applied).toBe('snapshot');
    // The old snapshot file is gone from the directory...
    expect(readdirSync(w.dataDir).filter((f) => oldFiles.includes(f))).toEqual([]);
    // ...and the other store switches at its next lookup.
    expect(w.expectMatches(other, 2)).toEqual([]);
    expect(other.seq()).toBe(2);
    other.close();
    otherDb.close();
  });

  it('an unknown status byte counts as revoked and is logged', async () => {
    w.publish({ [A]: 200, [B]: 1 });
    const warnings: string[] = [];
    const out = await w.sync({ log: { warn: (m) => warnings.push(m) } });
    expect(out.ok).toBe(true);
    expect(warnings.join('\n')).toMatch(/1 entries carry an unknown status byte/);
    const store = StatusListStore.open(w.db, w.dataDir, { log: { warn: (m) => warnings.push(m) } });
    const status = store.statusOf(key(A));
    expect(status).toBe(200);
    expect(reasonForStatus(status)).toBe('REVOKED');
    expect(warnings.at(-1)).toMatch(new RegExp(`unknown status byte 200 for key ${A}`));
    store.close();
  });

  it('the same seq again records the newer iat and changes nothing else', async () => {
    w.publish({ [A]: 1 });
    const first = await w.sync();
    republish(w.publishDir, w.authority.keys.sl, first.iat! + 600);
    const again = await w.sync();
    expect(again).toMatchObject({ ok: true, seq: 1, applied: 'none', entries: 1, iat: first.iat! + 600 });
    const store = w.openStore();
    expect(store.listIat()).toBe(first.iat! + 600);
    store.close();
  });

  it('a missing snapshot file is not "nothing revoked": no iat (stale) and a problem, until a sync repairs it', async () => {
    w.publish({ [A]: 1 });
    await w.sync();
    const store = w.openStore();
    store.close();
    const snap = readdirSync(w.dataDir).find((f) => f.endsWith('.rss'))!;
    unlinkSync(join(w.dataDir, snap));
    const broken = w.openStore();
    expect(broken.listIat()).toBeNull();
    expect(broken.problem()).toMatch(/unreadable/);
    // A delta cannot apply without its base: the next sync takes the snapshot instead.
    w.publish({ [B]: 2 }, { keepDeltas: 1 });
    const healed = await w.sync();
    expect(healed).toMatchObject({ ok: true, seq: 2, applied: 'snapshot' });
    const fresh = w.openStore();
    expect(fresh.problem()).toBeNull();
    expect(w.expectMatches(fresh, 2)).toEqual([]);
    expect(broken.listIat()).toBe(healed.iat);
    fresh.close();
    broken.close();
  });

  it('a missing or damaged index file is rebuilt from the snapshot', async () => {
    const many: Record<string, number> = {};
    for (let i = 0; i < 1000; i++) many[randomKeyHex()] = 1 + (i % 8);
    w.publish(many);
    await w.sync();
    const idx = readdirSync(w.dataDir).find((f) => f.endsWith('.idx'))!;
    rmSync(join(w.dataDir, idx));
    const store = w.openStore();
    expect(w.expectMatches(store, 1)).toEqual([]);
    store.close();
  });

  it('one sync at a time: a second one meanwhile is refused, and a killed holder is taken over', async () => {
    w.publish({ [A]: 1 });
    let second: Promise<Awaited<ReturnType<StatusWorld['sync']>>> | null = null;
    // The second sync starts while the first is downloading.
    const first = w.sync({
      onProgress: (p) => {
        if (p.file === 'snap-1.bin') second ??= w.sync();
      },
    });
    expect((await first).ok).toBe(true);
    expect(second).not.toBeNull();
    const secondOutcome = await second!;
    expect(secondOutcome).toMatchObject({ ok: false });
    expect(secondOutcome.error).toMatch(/another sync is running/);
    // A lock left by a dead process on this host does not block.
    w.db
      .prepare("INSERT OR REPLACE INTO status_sync_lock (id, token, pid, host, expires_ms) VALUES (1, 'x', 2147483646, ?, ?)")
      .run((await import('node:os')).hostname(), Date.now() + 60_000);
    w.publish({ [B]: 1 });
    expect((await w.sync()).ok).toBe(true);
  });

  it('accepts a newer signed trust list from the manifest; an older, a plain-JSON or a damaged one refuses the whole sync', async () => {
    w.publish({ [A]: 1 }, { trustDocument: w.signedTrust(5) });
    const out = await w.sync();
    expect(out).toMatchObject({ ok: true, trustVersion: 5 });
    const store = w.openStore();
    const kept = new SignedStore(w.db);
    expect((kept.trustJson() as { version: number }).version).toBe(5);
    const held = parseTrustList(kept.trustJson());
    w.publish({ [B]: 1 }, { trustDocument: w.signedTrust(3) });
    const older = await w.sync({ trust: held });
    expect(older).toMatchObject({ ok: false, seq: 1 });
    expect(older.error).toMatch(/trust list version 3 is below the held version 5/);
    expect(kept.trustVersion()).toBe(5);
    w.publish({ [C]: 1 }, { trust: w.authority.trustList(9, { root: w.rootKeys }) });
    const plain = await w.sync({ trust: held });
    expect(plain.ok).toBe(false);
    expect(plain.error).toMatch(/trust-3\.json: signed document: not a COSE_Sign/);
    w.publish({ [C]: 1 }, { trustDocument: w.signedTrust(9) });
    const trustFile = readdirSync(w.publishDir).find((f) => f.startsWith('trust-v9-'))!;
    w.server.faults.set(`/${trustFile}`, { kind: 'body', body: '{"version": 9, "issuers": []}' });
    const damaged = await w.sync({ trust: held });
    expect(damaged.ok).toBe(false);
    expect(damaged.error).toMatch(/trust-v9-4\.cose: SHA-256 differs/);
    expect(store.seq()).toBe(1);
    expect(kept.trustVersion()).toBe(5);
    w.server.faults.clear();
    expect(await w.sync({ trust: held })).toMatchObject({ ok: true, seq: 4, trustVersion: 9 });
    store.close();
  });
});
