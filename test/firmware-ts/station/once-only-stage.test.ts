/**
 * The once-only step over a real SQLite store: gate claims and refuse-undo, window vouchers on
 * confirm only, dry runs that write nothing, and faults (a full database, a store that never
 * answers) that leave the verdict the credential earned and are reported, never MALFORMED.
 * @module
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LocalOnceOnlyStore } from '../../../firmware-ts/station/local-once-only-store.js';
import type { OnceOnlyStore } from '../../../firmware-ts/station/once-only.js';
import { OnceOnlyStage, type OnceCheckedScan, type StoreFault } from '../../../firmware-ts/station/once-only-stage.js';
import { openDatabase } from '../../../firmware-ts/store/database.js';

const dir = mkdtempSync(join(tmpdir(), 'roadscan-stage-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const freshStore = () => new LocalOnceOnlyStore(openDatabase(join(dir, `stage-${n++}.db`)));
const KEY = 'b2'.repeat(16);
const NOW = 1_800_000_000;
const ticket = (reasons: OnceCheckedScan['reasons'] = ['CHECK_ID']): OnceCheckedScan => ({
  verdict: reasons.length === 0 ? 'accept' : reasons.some((r) => r !== 'CHECK_ID') ? 'reject' : 'warn',
  reasons,
  type: 'TK',
  statusKey: KEY,
  expSec: NOW + 7200,
});

describe('OnceOnlyStage at a gate', () => {
  it('holds the boarding from the scan; a refuse undoes it and the next scan boards', async () => {
    const store = freshStore();
    const stage = new OnceOnlyStage({ store, profile: 'gate', device: 'gate-1' });
    const first = await stage.apply(ticket(), { scanId: 's1', nowSec: NOW });
    expect(first.result.reasons).toEqual(['CHECK_ID']);
    expect(first.decision).toMatchObject({ kind: 'check-id', scanId: 's1', key: KEY });
    // Held meanwhile: a second gate on the same record refuses it.
    const other = new OnceOnlyStage({ store, profile: 'gate', device: 'gate-2' });
    expect((await other.apply(ticket(), { scanId: 's2', nowSec: NOW + 5 })).result).toMatchObject({
      verdict: 'reject',
      reasons: ['ALREADY_BOARDED', 'CHECK_ID'],
    });
    const refused = await stage.decide(first.decision!, 'refuse', NOW + 10);
    expect(refused).toMatchObject({ result: 'boarding-undone', scanId: 's1', action: 'refuse' });
    const again = await stage.apply(ticket(), { scanId: 's3', nowSec: NOW + 20 });
    expect(again.result.verdict).toBe('warn');
    expect(again.decision?.kind).toBe('check-id');
    expect((await stage.decide(again.decision!, 'confirm', NOW + 25)).result).toBe('boarding-kept');
    expect((await stage.apply(ticket(), { scanId: 's4', nowSec: NOW + 30 })).result.reasons).toContain('ALREADY_BOARDED');
  });

  it('keeps records until the ticket expires plus the margin', async () => {
    const store = freshStore();
    const stage = new OnceOnlyStage({ store, profile: 'gate', device: 'gate-1', marginSec: 100 });
    await stage.apply(ticket(), { scanId: 's1', nowSec: NOW });
    expect(store.recordsSince(0)[0]!.expiresAtSec).toBe(NOW + 7200 + 100);
    // An absurd exp (2^40) is capped: no record is kept for centuries.
    await stage.apply({ ...ticket(), statusKey: 'c3'.repeat(16), expSec: 2 ** 40 }, { scanId: 's2', nowSec: NOW });
    expect(store.recordsSince(0)[1]!.expiresAtSec).toBeLessThan(NOW + 401 * 86400);
  });

  it('with face recognition (no CHECK_ID) boards with no decision pending', async () => {
    const stage = new OnceOnlyStage({ store: freshStore(), profile: 'gate', device: 'gate-1' });
    const r = await stage.apply(ticket([]), { scanId: 's1', nowSec: NOW });
    expect(r).toMatchObject({ result: { verdict: 'accept' }, decision: null });
    expect((await stage.apply(ticket([]), { scanId: 's2', nowSec: NOW })).result.reasons).toEqual(['ALREADY_BOARDED']);
  });

  it('a refused ticket is looked up but never claimed', async () => {
    const store = freshStore();
    const stage = new OnceOnlyStage({ store, profile: 'gate', device: 'gate-1' });
    const r = await stage.apply(ticket(['WRONG_STATION', 'CHECK_ID']), { scanId: 's1', nowSec: NOW });
    expect(r.decision).toBeNull();
    expect(store.count()).toBe(0);
  });

  it('a dry run looks without claiming', async () => {
    const store = freshStore();
    const dry = new OnceOnlyStage({ store, profile: 'gate', device: 'gate-1', dryRun: true });
    expect(await dry.apply(ticket(), { scanId: 's1', nowSec: NOW })).toMatchObject({ decision: null, result: { reasons: ['CHECK_ID'] } });
    expect(store.count()).toBe(0);
    await new OnceOnlyStage({ store, profile: 'gate', device: 'gate-1' }).apply(ticket(), { scanId: 's2', nowSec: NOW });
    expect((await dry.apply(ticket(), { scanId: 's3', nowSec: NOW })).result.reasons).toEqual(['ALREADY_BOARDED', 'CHECK_ID']);
    expect(store.count()).toBe(1);
  });

  it('answers STATION_OFFLINE when only this device answered', async () => {
    const local = freshStore();
    const offline: OnceOnlyStore = {
      lookup: async (k, a) => ({ ...(await local.lookup(k, a)), offline: true }),
      claim: async (k, r, e) => ({ ...(await local.claim(k, r, e)), offline: true }),
      release: async (k, r) => ({ ...(await local.release(k, r)), offline: true }),
      close: async () => {},
    };
    const stage = new OnceOnlyStage({ store: offline, profile: 'gate', device: 'gate-1' });
    const r = await stage.apply(ticket([]), { scanId: 's1', nowSec: NOW });
    expect(r.result).toMatchObject({ verdict: 'warn', reasons: ['STATION_OFFLINE'] });
  });
});

describe('OnceOnlyStage at a window', () => {
  it('records a voucher on confirm only; a second swap gets VOUCHER_ISSUED', async () => {
    const store = freshStore();
    const stage = new OnceOnlyStage({ store, profile: 'window', device: 'window-1' });
    const first = await stage.apply(ticket(), { scanId: 's1', nowSec: NOW });
    expect(first.decision?.kind).toBe('voucher');
    expect(store.count()).toBe(0);
    expect((await stage.decide(first.decision!, 'refuse', NOW + 1)).result).toBe('nothing-recorded');
    const second = await stage.apply(ticket(), { scanId: 's2', nowSec: NOW + 2 });
    expect((await stage.decide(second.decision!, 'confirm', NOW + 3)).result).toBe('voucher-recorded');
    const third = await stage.apply(ticket(), { scanId: 's3', nowSec: NOW + 4 });
    expect(third).toMatchObject({ decision: null, result: { verdict: 'reject', reasons: ['VOUCHER_ISSUED', 'CHECK_ID'] } });
  });

  it('two windows confirming the same ticket: the second hears it was already issued', async () => {
    const store = freshStore();
    const w1 = new OnceOnlyStage({ store, profile: 'window', device: 'window-1' });
    const w2 = new OnceOnlyStage({ store, profile: 'window', device: 'window-2' });
    const a = await w1.apply(ticket(), { scanId: 'a', nowSec: NOW });
    const b = await w2.apply(ticket(), { scanId: 'b', nowSec: NOW });
    expect((await w1.decide(a.decision!, 'confirm', NOW + 1)).result).toBe('voucher-recorded');
    const late = await w2.decide(b.decision!, 'confirm', NOW + 2);
    expect(late).toMatchObject({ result: 'voucher-already-issued', by: { device: 'window-1', scanId: 'a' } });
  });

  it('other types and the roadside have no once-only rules', async () => {
    const store = freshStore();
    const stage = new OnceOnlyStage({ store, profile: 'window', device: 'w' });
    expect((await stage.apply({ ...ticket(), type: 'DL' }, { scanId: 's', nowSec: NOW })).decision).toBeNull();
    const road = new OnceOnlyStage({ store, profile: 'roadside', device: 'r' });
    expect((await road.apply(ticket(), { scanId: 's', nowSec: NOW })).decision).toBeNull();
    expect(store.count()).toBe(0);
  });
});

describe('OnceOnlyStage faults', () => {
  it('a full database leaves the earned verdict (never MALFORMED) and is reported', async () => {
    const db = openDatabase(join(dir, 'full.db'));
    const store = new LocalOnceOnlyStore(db);
    // A real SQLite at its page limit: fill the table until a write fails SQLITE_FULL (bounded).
    db.pragma(`max_page_count = ${db.pragma('page_count', { simple: true })}`);
    let full = false;
    for (let i = 0; i < 5000 && !full; i++) {
      try {
        store.claimSync(i.toString(16).padStart(32, '0'), { action: 'boarded', device: 'filler', atSec: 1 }, NOW);
      } catch (err) {
        full = /full/.test((err as Error).message);
      }
    }
    expect(full).toBe(true);
    const faults: StoreFault[] = [];
    const stage = new OnceOnlyStage({ store, profile: 'gate', device: 'gate-1', onStoreFault: (f) => faults.push(f) });
    const r = await stage.apply(ticket([]), { scanId: 's1', nowSec: NOW });
    expect(r.result).toMatchObject({ verdict: 'accept', reasons: [] });
    expect(faults).toEqual([{ op: 'claim', action: 'boarded', scanId: 's1', message: expect.stringMatching(/SQLITE_FULL/) }]);
  });

  it('a store that never answers is a fault after the deadline', async () => {
    const hung: OnceOnlyStore = {
      lookup: () => new Promise(() => {}),
      claim: () => new Promise(() => {}),
      release: () => new Promise(() => {}),
      close: async () => {},
    };
    const faults: StoreFault[] = [];
    const stage = new OnceOnlyStage({ store: hung, profile: 'window', device: 'w', deadlineMs: 50, onStoreFault: (f) => faults.push(f) });
    const r = await stage.apply(ticket(), { scanId: 's1', nowSec: NOW });
    expect(r.result).toMatchObject({ verdict: 'warn', reasons: ['CHECK_ID'] });
    expect(faults[0]).toMatchObject({ op: 'lookup', message: expect.stringMatching(/no answer within 50 ms/) });
    expect((await stage.decide(r.decision!, 'confirm', NOW)).result).toBe('store-fault');
  });

  it('a listener that throws does not fail the scan', async () => {
    const broken: OnceOnlyStore = {
      lookup: async () => {
        throw new Error('boom\nline');
      },
      claim: async () => {
        throw new Error('boom');
      },
      release: async () => {
        throw new Error('boom');
      },
      close: async () => {},
    };
    const stage = new OnceOnlyStage({
      store: broken,
      profile: 'gate',
      device: 'g',
      onStoreFault: () => {
        throw new Error('listener');
      },
    });
    await expect(stage.apply(ticket(), { scanId: 's', nowSec: NOW })).resolves.toMatchObject({ result: { verdict: 'warn' } });
  });
});
