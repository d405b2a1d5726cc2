/**
 * The shared once-only store against a real three-server nats-server cluster on 127.0.0.1, with
 * real SQLite files per device. One device's link goes through a relay that the test cuts or
 * stalls, so that device is offline while the rest of the station goes on.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../../../firmware-ts/store/database.js';
import type { OnceConflict } from '../../../firmware-ts/station/handover-queue.js';
import type { OnceRecord } from '../../../firmware-ts/station/once-only.js';
import { openStationStore, type StationStore } from '../../../firmware-ts/station/station-store.js';
import { OnceOnlyStage } from '../../../firmware-ts/station/once-only-stage.js';
import { LocalNatsCluster } from '../../../sim/station/local-cluster.js';
import { LinkProxy } from '../../../sim/station/link-proxy.js';
import { NatsStationBucket } from '../../../firmware-ts/station/nats-station-bucket.js';

let cluster: LocalNatsCluster;
let dir: string;
const opened: { s: StationStore; db: Db }[] = [];
const proxies: LinkProxy[] = [];
let n = 0;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'roadscan-shared-'));
  cluster = await LocalNatsCluster.create();
  await cluster.start();
}, 60_000);

afterAll(async () => {
  for (const { s, db } of opened) {
    await s.store.close().catch(() => undefined);
    db.close();
  }
  for (const p of proxies) await p.close();
  await cluster?.destroy();
  rmSync(dir, { recursive: true, force: true });
});

function device(
  name: string,
  servers: string[],
  conflicts: OnceConflict[] = [],
  extra: { discover?: boolean; deadlineMs?: number; queueMax?: number } = {},
): StationStore {
  const db = openDatabase(join(dir, `${name}-${n++}.db`));
  const s = openStationStore({
    db,
    deviceId: name,
    shared: {
      servers,
      bucket: 'once',
      replicas: 3,
      deadlineMs: extra.deadlineMs ?? 150,
      recordMaxAgeHours: 24,
      handoverPeriodMs: 200,
      handoverQueueMax: extra.queueMax ?? 100_000,
      credsFile: null,
      tls: null,
    },
    onConflict: (c) => conflicts.push(c),
    ...(extra.discover === undefined ? {} : { discover: extra.discover }),
  });
  opened.push({ s, db });
  return s;
}

async function until(what: string, ok: () => boolean | Promise<boolean>, ms = 15_000): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await ok()) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`timed out waiting for ${what}`);
}

const connected = (s: StationStore) => until('connected', () => s.station!.state().connected);
const key = (i: number) => i.toString(16).padStart(32, '0');
const rec = (dev: string, atSec: number, scanId = `s${atSec}`): OnceRecord => ({ action: 'boarded', device: dev, atSec, scanId });

describe('SharedOnceOnlyStore on a real NATS cluster', () => {
  it('lets exactly one of many devices claim a ticket; the others read the winner back', async () => {
    // A loaded machine's deadline (CI: two cores, load 13 seen): at 150 ms the first creates on a
    // fresh R3 bucket can miss it, and a device answering alone is not what this test is about.
    const gates = ['g1', 'g2', 'g3', 'g4'].map((g, i) => device(g, [cluster.servers[i % 3]!], [], { deadlineMs: 2000 }));
    await Promise.all(gates.map(connected));
    for (let t = 0; t < 20; t++) {
      const k = key(1000 + t);
      const outcomes = await Promise.all(gates.map((g, i) => g.store.claim(k, rec(`g${i + 1}`, 1_800_000_000 + t), 1_900_000_000)));
      const won = outcomes.filter((o) => o.result === 'claimed');
      expect(won).toHaveLength(1);
      expect(outcomes.every((o) => !o.offline)).toBe(true);
      const winner = outcomes.indexOf(won[0]!);
      for (const o of outcomes) if (o.result === 'taken') expect(o.by.device).toBe(`g${winner + 1}`);
      // Every device knows it, the winner included, also in its own SQLite copy.
      for (const g of gates) expect((await g.store.lookup(k, 'boarded')).record?.device).toBe(`g${winner + 1}`);
      expect(gates[winner]!.local.lookupSync(k, 'boarded')?.device).toBe(`g${winner + 1}`);
    }
  }, 60_000);

  it('undoes a refused boarding only at the revision it holds, never blindly', async () => {
    const [a, b] = [device('ra', cluster.servers), device('rb', cluster.servers)];
    await Promise.all([connected(a), connected(b)]);
    const k = key(2000);
    const mine = rec('ra', 1_800_000_100);
    expect((await a.store.claim(k, mine, 1_900_000_000)).result).toBe('claimed');
    // Another device cannot release a record that is not its own.
    expect((await b.store.release(k, rec('rb', 1_800_000_100))).released).toBe(false);
    expect((await b.store.release(k, { ...mine, scanId: 'other' })).released).toBe(false);
    expect((await a.store.release(k, mine)).released).toBe(true);
    expect((await b.store.lookup(k, 'boarded')).record).toBeNull();
    // The real passenger boards at the other gate; the first gate's stale release changes nothing.
    const theirs = rec('rb', 1_800_000_200);
    expect((await b.store.claim(k, theirs, 1_900_000_000)).result).toBe('claimed');
    expect((await a.store.release(k, mine)).released).toBe(false);
    expect((await a.store.lookup(k, 'boarded')).record).toEqual(theirs);
  }, 30_000);

  it('answers alone past the deadline on a stalled link, and hands its record over without a false conflict', async () => {
    const proxy = await LinkProxy.start({ host: '127.0.0.1', port: cluster.ports[0]!.client });
    proxies.push(proxy);
    const conflicts: OnceConflict[] = [];
    const a = device('sa', [proxy.address], conflicts, { discover: false });
    const b = device('sb', cluster.servers);
    await Promise.all([connected(a), connected(b)]);
    proxy.stall();
    const k = key(3000);
    const started = performance.now();
    const out = await a.store.claim(k, rec('sa', 1_800_000_300), 1_900_000_000);
    const took = performance.now() - started;
    expect(out).toEqual({ result: 'claimed', offline: true });
    expect(took).toBeGreaterThanOrEqual(140);
    expect(took).toBeLessThan(5000);
    expect(a.station!.state().queued).toBe(1);
    // The same ticket again at the same gate: its own record answers.
    const again = await a.store.claim(k, rec('sa', 1_800_000_301), 1_900_000_000);
    expect(again.result).toBe('taken');
    // The held create is delivered when the link comes back: the handover finds its own record.
    await proxy.restore();
    await until('handover', () => a.station!.state().queued === 0);
    expect(conflicts).toEqual([]);
    expect(a.station!.state().conflicts).toBe(0);
    expect((await b.store.lookup(k, 'boarded')).record?.device).toBe('sa');
  }, 30_000);

  it('tries a create caught by its link going down again over the next link, inside the deadline: online, one boarding', async () => {
    // Two links to two members; the one in use hangs with the create in it, then drops (its
    // server died). The client's own request timeout is longer than the deadline, so waiting for
    // that answer would board offline while another gate boards the same ticket online.
    const links = [
      await LinkProxy.start({ host: '127.0.0.1', port: cluster.ports[0]!.client }),
      await LinkProxy.start({ host: '127.0.0.1', port: cluster.ports[1]!.client }),
    ];
    proxies.push(...links);
    const a = device(
      'la',
      links.map((l) => l.address),
      [],
      { discover: false, deadlineMs: 2500 },
    );
    const b = device('lb', cluster.servers);
    await Promise.all([connected(a), connected(b)]);
    const inUse = links.find((l) => l.address === a.station!.state().server)!;
    expect(inUse).toBeDefined();
    inUse.stall();
    const k = key(3500);
    const claim = a.store.claim(k, rec('la', 1_800_000_350), 1_900_000_000);
    await new Promise((r) => setTimeout(r, 100));
    await inUse.cut();
    const out = await claim;
    expect(out).toEqual({ result: 'claimed', offline: false });
    expect(a.station!.state().queued).toBe(0);
    expect(await b.store.claim(k, rec('lb', 1_800_000_351), 1_900_000_000)).toMatchObject({ result: 'taken', by: { device: 'la' }, offline: false });
  }, 30_000);

  it('reports a ticket boarded twice while a gate was cut off, and hands over the rest', async () => {
    const proxy = await LinkProxy.start({ host: '127.0.0.1', port: cluster.ports[1]!.client });
    proxies.push(proxy);
    const conflicts: OnceConflict[] = [];
    // A long deadline, so that answering at once below shows the link down is not waited for.
    const a = device('ca', [proxy.address], conflicts, { discover: false, deadlineMs: 5000 });
    const b = device('cb', cluster.servers);
    await Promise.all([connected(a), connected(b)]);
    await proxy.cut();
    await until('link down for a deadline', () => !a.station!.state().connected && a.station!.state().downForMs >= 5000, 20_000);
    const [k1, k2] = [key(4001), key(4002)];
    const started = performance.now();
    expect(await a.store.claim(k1, rec('ca', 1_800_000_400), 1_900_000_000)).toEqual({ result: 'claimed', offline: true });
    // No link at all: the answer does not even wait for the deadline.
    expect(performance.now() - started).toBeLessThan(2500);
    expect(await a.store.claim(k2, rec('ca', 1_800_000_401), 1_900_000_000)).toEqual({ result: 'claimed', offline: true });
    expect(await a.store.lookup(k2, 'boarded')).toMatchObject({ offline: true });
    // Meanwhile the same screenshot boards at another gate.
    expect((await b.store.claim(k1, rec('cb', 1_800_000_402), 1_900_000_000)).result).toBe('claimed');
    await proxy.restore();
    await until('handover', () => a.station!.state().queued === 0);
    expect(conflicts).toHaveLength(1);
    expect(conflicts[0]).toMatchObject({ key: k1, action: 'boarded', ours: { device: 'ca' }, theirs: { device: 'cb' } });
    expect(a.station!.state().conflicts).toBe(1);
    // The record only gate a had is the station's now.
    expect(await b.store.claim(k2, rec('cb', 1_800_000_403), 1_900_000_000)).toMatchObject({ result: 'taken', by: { device: 'ca' } });
  }, 30_000);

  it('keeps the queue across a restart of the device (durable in SQLite) and survives a dead cluster member', async () => {
    const db = openDatabase(join(dir, 'restart.db'));
    const shared = {
      servers: ['127.0.0.1:1'],
      bucket: 'once',
      replicas: 3,
      deadlineMs: 150,
      recordMaxAgeHours: 24,
      handoverPeriodMs: 200,
      handoverQueueMax: 100_000,
      credsFile: null,
      tls: null,
    };
    const first = openStationStore({ db, deviceId: 'pa', shared });
    expect(await first.store.claim(key(5000), rec('pa', 1_800_000_500), 1_900_000_000)).toEqual({ result: 'claimed', offline: true });
    await first.store.close();
    await cluster.kill(2);
    const second = openStationStore({ db, deviceId: 'pa', shared: { ...shared, servers: cluster.servers } });
    opened.push({ s: second, db });
    await until('handover after restart', () => second.station!.state().connected && second.station!.state().queued === 0, 20_000);
    const other = device('pb', cluster.servers.slice(0, 2));
    await connected(other);
    expect((await other.store.lookup(key(5000), 'boarded')).record?.device).toBe('pa');
    cluster.startMember(2);
    await cluster.waitFormed();
  }, 60_000);

  it("windows: a voucher swapped on the clerk's confirm at one window is VOUCHER_ISSUED at another", async () => {
    const [w1, w2] = [device('win1', [cluster.servers[0]!]), device('win2', [cluster.servers[1]!])];
    await Promise.all([connected(w1), connected(w2)]);
    const stage = (s: StationStore, dev: string) => new OnceOnlyStage({ store: s.store, profile: 'window', device: dev });
    const [a, b] = [stage(w1, 'win1'), stage(w2, 'win2')];
    const ticket = { verdict: 'warn' as const, reasons: ['CHECK_ID' as const], type: 'TK', statusKey: key(6000), expSec: 1_800_100_000 };
    const first = await a.apply({ ...ticket, reasons: [...ticket.reasons] }, { scanId: 'aaaa000000000001', nowSec: 1_800_000_600 });
    expect(first.result.reasons).toEqual(['CHECK_ID']);
    expect(first.decision?.kind).toBe('voucher');
    // Nothing is recorded before the clerk confirms: the other window still sees a fresh ticket.
    expect((await b.apply({ ...ticket, reasons: [...ticket.reasons] }, { scanId: 'bbbb000000000001', nowSec: 1_800_000_601 })).result.reasons).toEqual(['CHECK_ID']);
    expect(await a.decide(first.decision!, 'confirm', 1_800_000_602)).toMatchObject({ result: 'voucher-recorded', offline: false });
    const second = await b.apply({ ...ticket, reasons: [...ticket.reasons] }, { scanId: 'bbbb000000000002', nowSec: 1_800_000_603 });
    expect(second.result.verdict).toBe('reject');
    expect(second.result.reasons).toContain('VOUCHER_ISSUED');
    expect(second.decision).toBeNull();
  }, 30_000);

  it('reports a queued record whose key holds garbage as a conflict and hands over the rest behind it', async () => {
    const proxy = await LinkProxy.start({ host: '127.0.0.1', port: cluster.ports[0]!.client });
    proxies.push(proxy);
    const conflicts: OnceConflict[] = [];
    const a = device('ma', [proxy.address], conflicts, { discover: false });
    const b = device('mb', cluster.servers);
    await Promise.all([connected(a), connected(b)]);
    await proxy.cut();
    await until('link down', () => !a.station!.state().connected);
    const [bad, good] = [key(7001), key(7002)];
    expect((await a.store.claim(bad, rec('ma', 1_800_000_700), 1_900_000_000)).offline).toBe(true);
    expect((await a.store.claim(good, rec('ma', 1_800_000_701), 1_900_000_000)).offline).toBe(true);
    // Another device's bug writes a value that is not a record under the first key.
    const raw = new NatsStationBucket({
      servers: cluster.servers,
      bucket: 'once',
      replicas: 3,
      maxAgeSec: 86400,
      name: 'raw',
      creds: null,
      tls: null,
      requestTimeoutMs: 2000,
      retryMs: 100,
    });
    raw.start();
    await until('raw connected', () => raw.state().connected);
    await raw.create(`boarded.${bad}`, new TextEncoder().encode('\u0007not json'));
    await raw.close();
    await proxy.restore();
    await until('handover', () => a.station!.state().queued === 0);
    expect(conflicts).toHaveLength(1);
    expect(conflicts[0]).toMatchObject({ key: bad, theirs: { device: 'unreadable' } });
    expect((await b.store.lookup(good, 'boarded')).record?.device).toBe('ma');
  }, 30_000);

  it('reads its state without throwing when its database fails: the last counts, and why', async () => {
    const db = openDatabase(join(dir, 'state-fails.db'));
    const s = openStationStore({
      db,
      deviceId: 'fa',
      shared: {
        servers: ['127.0.0.1:1'],
        bucket: 'once',
        replicas: 3,
        deadlineMs: 150,
        recordMaxAgeHours: 24,
        handoverPeriodMs: 200,
        handoverQueueMax: 100_000,
        credsFile: null,
        tls: null,
      },
    });
    expect(await s.store.claim(key(8000), rec('fa', 1_800_000_800), 1_900_000_000)).toMatchObject({ offline: true });
    expect(s.station!.state()).toMatchObject({ queued: 1, conflicts: 0 });
    expect(s.station!.state().problem).toBeUndefined();
    db.close();
    const st = s.station!.state();
    expect(st).toMatchObject({ connected: false, queued: 1, conflicts: 0 });
    expect(st.problem).toMatch(/^station records unreadable: /);
    await s.store.close().catch(() => undefined);
  });
});
