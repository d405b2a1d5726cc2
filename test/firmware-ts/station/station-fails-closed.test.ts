/**
 * The station store fails closed (issue 20), each finding played against a real nats-server with
 * JetStream on 127.0.0.1 and real SQLite files, a raw NATS client standing in for the attacker or
 * the bad day: a gate's own record counts when the station's is deleted; a bucket made with a
 * 3 s TTL is refused, naming the setting; a full handover queue loses no boarding; a 4 KB value
 * under one key is a conflict with its reason and the queue moves on; a refuse after a create
 * that reached the station late (300 ms each way) undoes it there, at its revision.
 */
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';
import { Kvm } from '@nats-io/kv';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { healthBody } from '../../../firmware-ts/health/health-server.js';
import { LinkProxy } from '../../../sim/station/link-proxy.js';
import { boardedBy as rec, LoneNatsServer, onceKey as key } from '../../helpers/lone-nats.js';

let nats: LoneNatsServer;
let raw: NatsConnection;
const proxies: LinkProxy[] = [];

beforeAll(async () => {
  nats = new LoneNatsServer('roadscan-station-closed-');
  await nats.start('for the fail-closed tests', []);
  raw = await connect({ servers: [nats.address], name: 'raw' });
}, 60_000);

afterAll(async () => {
  await raw?.close().catch(() => undefined);
  for (const p of proxies) await p.close();
  await nats?.close();
});

async function proxy(): Promise<LinkProxy> {
  const p = await LinkProxy.start({ host: '127.0.0.1', port: Number(nats.address.split(':')[1]) });
  proxies.push(p);
  return p;
}

/** A gate on a database of its own; `via` is its own link (a relay the test can cut or slow). */
function gate(name: string, bucket: string, extra: { via?: LinkProxy; queueMax?: number; deadlineMs?: number } = {}) {
  const { s, warnings } = nats.gate(name, {
    bucket,
    ...(extra.via ? { servers: [extra.via.address] } : {}),
    ...(extra.queueMax ? { handoverQueueMax: extra.queueMax } : {}),
    ...(extra.deadlineMs ? { deadlineMs: extra.deadlineMs } : {}),
  });
  return { s, station: s.station!, warnings };
}

async function untilAsync(what: string, ok: () => Promise<boolean>, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await ok()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

const rawKv = (bucket: string) => new Kvm(raw).open(bucket);
const connected = (g: { station: { state(): { connected: boolean } } }) => nats.until('connected', () => g.station.state().connected);

describe('a gate of a station fails closed', () => {
  it("counts its own record when the station's was deleted: ALREADY_BOARDED, reported as vanished, handed over again", async () => {
    const a = gate('own1', 'own');
    await connected(a);
    const k = key(1);
    expect(await a.s.store.claim(k, rec('own1', 1_800_000_001), 1_900_000_000)).toEqual({ result: 'claimed', offline: false });
    // Anyone on the network (an open cluster) deletes the record.
    const kv = await rawKv('own');
    await kv.delete(`boarded.${k}`);
    expect(await kv.get(`boarded.${k}`)).toMatchObject({ operation: 'DEL' });
    // The same ticket at the same gate: its own record answers, whatever the station says.
    const again = await a.s.store.claim(k, rec('own1', 1_800_000_050), 1_900_000_000);
    expect(again).toEqual({ result: 'taken', by: rec('own1', 1_800_000_001), offline: false });
    const st = a.station.state();
    expect(st.conflictsByKind.vanished).toBe(1);
    expect(st.conflicts).toBe(1);
    expect(healthBody(healthState(st)).problems).toContain('station conflicts 1 (vanished 1)');
    // The record is handed over again, so the other gates refuse the ticket too.
    await nats.until('handed over again', () => a.station.state().queued === 0);
    const back = await kv.get(`boarded.${k}`);
    expect(back?.operation).toBe('PUT');
    expect(back?.json()).toEqual(rec('own1', 1_800_000_001));
    // Reported once, not at every rescan.
    await a.s.store.claim(k, rec('own1', 1_800_000_060), 1_900_000_000);
    expect(a.station.state().conflicts).toBe(1);
  }, 30_000);

  it('refuses a bucket made with a 3 s TTL, naming the setting, and answers alone (STATION_OFFLINE)', async () => {
    await new Kvm(raw).create('ttl3', { history: 1, ttl: 3000, maxValueSize: 1024, replicas: 1 });
    const a = gate('ttl1', 'ttl3');
    const b = gate('ttl2', 'ttl3');
    await nats.until('the fault', () => a.station.state().fault !== null && b.station.state().fault !== null);
    const st = a.station.state();
    expect(st.fault).toMatch(/max_age 3s, needs at least 86400s/);
    expect(st.connected).toBe(false);
    expect(st.faultsFound).toBe(1);
    const k = key(2);
    expect(await a.s.store.claim(k, rec('ttl1', 1_800_000_002), 1_900_000_000)).toEqual({ result: 'claimed', offline: true });
    // Four seconds later at another gate: not "free", but alone and said so; the handover reports it later.
    expect(await b.s.store.claim(k, rec('ttl2', 1_800_000_006), 1_900_000_000)).toEqual({ result: 'claimed', offline: true });
    expect(healthBody(healthState(st)).problems).toContain(st.fault);
    // Nothing was written into the unfit bucket.
    expect(await (await rawKv('ttl3')).get(`boarded.${k}`)).toBeNull();
  }, 30_000);

  it('shows a full handover queue, still answers from its own record, and hands the refused records over once it drains', async () => {
    const link = await proxy();
    const a = gate('full1', 'full', { via: link, queueMax: 2 });
    const b = gate('full2', 'full');
    await Promise.all([connected(a), connected(b)]);
    await link.cut();
    await nats.until('link down', () => !a.station.state().connected);
    const [k1, k2, k3] = [key(31), key(32), key(33)];
    for (const [i, k] of [k1, k2, k3].entries()) {
      expect(await a.s.store.claim(k, rec('full1', 1_800_000_030 + i), 1_900_000_000)).toEqual({ result: 'claimed', offline: true });
    }
    const st = a.station.state();
    expect(st).toMatchObject({ queued: 2, queueMax: 2, queueFull: true, overflow: { refused: 1, sinceSec: 1_800_000_032 } });
    const problems = healthBody(healthState(st)).problems;
    expect(problems).toContain('station handover queue full (2 of 2)');
    expect(problems).toContain('station handover: 1 records refused by the full queue, kept here, not yet handed over');
    // The local record still answers for the refused one.
    expect(await a.s.store.claim(k3, rec('full1', 1_800_000_040), 1_900_000_000)).toMatchObject({ result: 'taken', offline: true });
    // Meanwhile the same screenshot boards at another gate.
    expect(await b.s.store.claim(k3, rec('full2', 1_800_000_041), 1_900_000_000)).toEqual({ result: 'claimed', offline: false });
    await link.restore();
    await nats.until('queue and overflow handed over', () => a.station.state().queued === 0 && a.station.state().overflow === null);
    // The refused record was handed over from the gate's own record: the double boarding is reported.
    expect(a.station.state().conflictsByKind['taken-twice']).toBe(1);
    expect(a.station.state().queueFull).toBe(false);
    // Back online, the ticket boarded alone never boards again at the same gate.
    expect(await a.s.store.claim(k3, rec('full1', 1_800_000_050), 1_900_000_000)).toMatchObject({ result: 'taken', offline: false });
    expect((await b.s.store.lookup(k1, 'boarded')).record?.device).toBe('full1');
  }, 40_000);

  it('reports a 4 KB value under one key as an unreadable conflict with its reason, and hands over the rest', async () => {
    const link = await proxy();
    const a = gate('big1', 'big', { via: link });
    const b = gate('big2', 'big');
    await Promise.all([connected(a), connected(b)]);
    await link.cut();
    await nats.until('link down', () => !a.station.state().connected);
    const [bad, good] = [key(41), key(42)];
    expect((await a.s.store.claim(bad, rec('big1', 1_800_000_041), 1_900_000_000)).offline).toBe(true);
    expect((await a.s.store.claim(good, rec('big1', 1_800_000_042), 1_900_000_000)).offline).toBe(true);
    // Someone lifts the value cap, writes 4 KB under the key, and puts the cap back.
    const jsm = await jetstreamManager(raw);
    const info = await jsm.streams.info('KV_big');
    await jsm.streams.update('KV_big', { ...info.config, max_msg_size: -1 });
    await (await rawKv('big')).put(`boarded.${bad}`, new Uint8Array(4096).fill(0x41));
    await jsm.streams.update('KV_big', { ...info.config, max_msg_size: 1024 });
    await link.restore();
    await nats.until('handover past the bad value', () => a.station.state().queued === 0);
    expect(a.station.state().conflictsByKind.unreadable).toBe(1);
    expect((await b.s.store.lookup(good, 'boarded')).record?.device).toBe('big1');
    // Its reason is kept and said: the size of the value.
    expect(a.warnings.some((w) => w.includes('station conflict') && w.includes('4096 bytes'))).toBe(true);
  }, 30_000);

  it('undoes at the station a boarding refused after its create reached the station late (300 ms each way)', async () => {
    const link = await proxy();
    const a = gate('late1', 'late', { via: link, deadlineMs: 150 });
    const b = gate('late2', 'late');
    await Promise.all([connected(a), connected(b)]);
    link.delay(300);
    const k = key(5);
    const mine = rec('late1', 1_800_000_005);
    expect(await a.s.store.claim(k, mine, 1_900_000_000)).toEqual({ result: 'claimed', offline: true });
    // The operator refuses (CHECK_ID, wrong person) at once: the boarding is undone here...
    expect(await a.s.store.release(k, mine)).toMatchObject({ released: true });
    // ...and where the late create landed: first it lands (the key has a revision), then the
    // queued release, conditional on that revision, deletes it.
    const kv = await rawKv('late');
    let last = 'nothing';
    await untilAsync('the late create to land and be undone', async () => {
      const e = await kv.get(`boarded.${k}`);
      last = e ? `${e.operation} ${e.operation === 'PUT' ? e.string() : ''}` : 'nothing';
      return e !== null && e.operation !== 'PUT';
    }).catch((err: Error) => {
      throw new Error(`${err.message}; the station holds: ${last}`);
    });
    await nats.until('release handed over', () => a.station.state().queued === 0, 20_000);
    // The real passenger boards at the other gate.
    expect(await b.s.store.claim(k, rec('late2', 1_800_000_009), 1_900_000_000)).toEqual({ result: 'claimed', offline: false });
  }, 40_000);
});

/** A /healthz state around the station's (the rest fine), for healthBody. */
function healthState(station: ReturnType<ReturnType<typeof gate>['station']['state']>): Parameters<typeof healthBody>[0] {
  return {
    scanner: 'open',
    list: { seq: 1, entries: 0, ageSec: 0, stale: false },
    clock: { state: 'ok', floor: '2027-01-01T00:00:00Z' },
    lastScan: null,
    station,
  } as unknown as Parameters<typeof healthBody>[0];
}
