import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AuditLog } from '../../../firmware-ts/audit/audit-log.js';
import { AuditUploader, type UploadRound } from '../../../firmware-ts/audit/audit-uploader.js';
import { openDatabase, type Db } from '../../../firmware-ts/store/database.js';
import { AuditCollector } from '../../../sim/audit/audit-collector.js';
import { makeSelfSigned, type Pem } from '../../helpers/test-pki.js';
import { uploadEntry as entry } from './fixtures/upload-entry.js';

let dir: string;
let db: Db;
let log: AuditLog;
let tls: Pem;
const stops: (() => Promise<void>)[] = [];

async function collector(opts: ConstructorParameters<typeof AuditCollector>[0] = {}): Promise<{ c: AuditCollector; url: string }> {
  const c = new AuditCollector(opts);
  const { url } = await c.start();
  stops.push(() => c.stop());
  return { c, url };
}

/** A real HTTP server answering every request with `reply`, for collectors that misbehave. */
async function rogue(reply: (res: http.ServerResponse) => void): Promise<string> {
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => reply(res));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  stops.push(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
}

beforeAll(() => {
  const certDir = mkdtempSync(join(tmpdir(), 'roadscan-tls-'));
  tls = makeSelfSigned(certDir);
  rmSync(certDir, { recursive: true, force: true });
});

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'roadscan-upload-'));
  db = openDatabase(join(dir, 'audit.db'));
  log = new AuditLog(db, { deviceId: 'unit-7', operator: 'op-1' });
});
afterEach(async () => {
  for (const stop of stops.splice(0)) await stop();
  db.close();
  rmSync(dir, { recursive: true, force: true });
});
afterAll(() => undefined);

describe('AuditUploader against a collector on 127.0.0.1', () => {
  it('sends everything in batches over HTTPS with the given CA; the collector holds each record once', async () => {
    const { c, url } = await collector({ tls });
    expect(url).toMatch(/^https:/);
    for (let i = 0; i < 230; i++) log.record(entry(i));
    const up = new AuditUploader(log, { url, ca: tls.cert, batchSize: 50, timeoutMs: 5000 });
    expect(await up.uploadOnce()).toEqual({ ok: true, acked: 230, pending: 0 });
    expect(c.requests).toBe(5);
    expect(log.ackedThrough()).toBe(230);
    const held = c.records();
    expect(held.map((r) => r.seq)).toEqual(Array.from({ length: 230 }, (_, i) => i + 1));
    expect(held.every((r) => r.log === log.logId)).toBe(true);
    expect(held.map((r) => r.record)).toEqual([...log.export(0)]);
    expect(await up.uploadOnce()).toEqual({ ok: true, acked: 0, pending: 0 });
  });

  it('refuses a collector whose certificate it cannot verify, and acknowledges nothing', async () => {
    const { c, url } = await collector({ tls });
    log.record(entry(1));
    const round = await new AuditUploader(log, { url, timeoutMs: 5000 }).uploadOnce();
    expect(round.ok).toBe(false);
    expect(round.error).toMatch(/SELF_SIGNED|UNABLE_TO_VERIFY|CERT/);
    expect(log.ackedThrough()).toBe(0);
    expect(c.records()).toEqual([]);
  });

  it('stores a batch once when the reply was lost and the batch is sent again', async () => {
    const { c, url } = await collector();
    for (let i = 0; i < 30; i++) log.record(entry(i));
    c.dropRepliesNext(2);
    const up = new AuditUploader(log, { url, batchSize: 10, timeoutMs: 5000 });
    expect((await up.uploadOnce()).ok).toBe(false);
    expect((await up.uploadOnce()).ok).toBe(false);
    expect(log.ackedThrough()).toBe(0);
    expect(await up.uploadOnce()).toEqual({ ok: true, acked: 30, pending: 0 });
    expect(c.records()).toHaveLength(30);
    expect(c.duplicates).toBe(20);
    expect(c.conflicts).toBe(0);
  });

  it('keeps records pending while the collector refuses, then sends them', async () => {
    const { c, url } = await collector();
    for (let i = 0; i < 5; i++) log.record(entry(i));
    c.refuseNext(1);
    const rounds: UploadRound[] = [];
    const up = new AuditUploader(log, { url, timeoutMs: 5000, onRound: (r) => rounds.push(r) });
    await up.uploadOnce();
    await up.uploadOnce();
    expect(rounds).toEqual([
      { ok: false, acked: 0, pending: 5, error: 'collector answered HTTP 503' },
      { ok: true, acked: 5, pending: 0 },
    ]);
  });

  it('a partial acknowledgement moves the mark only as far as the collector says', async () => {
    for (let i = 0; i < 10; i++) log.record(entry(i));
    const url = await rogue((res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{"ackThrough":4}'));
    const round = await new AuditUploader(log, { url, batchSize: 10, timeoutMs: 5000 }).uploadOnce();
    // The next batch starts at 5 and gets ackThrough 4 again: no progress is a failure.
    expect(round).toEqual({ ok: false, acked: 4, pending: 6, error: 'collector acknowledged nothing of the batch' });
    expect(log.ackedThrough()).toBe(4);
  });

  it('treats replies it cannot trust as failures: beyond the batch, not JSON, redirects, too large, silence', async () => {
    log.record(entry(1));
    const replies: [string, (res: http.ServerResponse) => void, RegExp][] = [
      ['beyond', (res) => res.writeHead(200).end('{"ackThrough":999}'), /no valid ackThrough/],
      ['not json', (res) => res.writeHead(200).end('ok'), /no valid ackThrough/],
      ['fraction', (res) => res.writeHead(200).end('{"ackThrough":0.5}'), /no valid ackThrough/],
      ['redirect', (res) => res.writeHead(302, { location: 'http://127.0.0.1:1/' }).end(), /HTTP 302/],
      ['huge', (res) => res.writeHead(200).end(`{"ackThrough":1,"pad":"${'x'.repeat(100_000)}"}`), /larger than/],
      ['silence', () => undefined, /no answer within 300 ms/],
    ];
    for (const [name, reply, error] of replies) {
      const url = await rogue(reply);
      const round = await new AuditUploader(log, { url, timeoutMs: 300 }).uploadOnce();
      expect({ name, ok: round.ok, error: round.error }).toEqual({ name, ok: false, error: expect.stringMatching(error) });
    }
    expect(log.ackedThrough()).toBe(0);
  });

  it('cannot reach a closed port: a one-line error, nothing acknowledged', async () => {
    log.record(entry(1));
    const round = await new AuditUploader(log, { url: 'http://127.0.0.1:1/', timeoutMs: 2000 }).uploadOnce();
    expect(round).toEqual({ ok: false, acked: 0, pending: 1, error: 'ECONNREFUSED' });
  });

  it('runs periodically once started, and stop() abandons a request in flight', async () => {
    const { c, url } = await collector();
    const up = new AuditUploader(log, { url, periodMs: 20, timeoutMs: 5000 });
    up.start();
    for (let i = 0; i < 3; i++) log.record(entry(i));
    // Until the device took the acknowledgement (the collector holding them is not enough: a stop
    // between its storing and its answer abandons the answer, and the batch is simply sent again).
    for (let i = 0; i < 1000 && log.ackedThrough() < 3; i++) await new Promise((r) => setTimeout(r, 10));
    await up.stop();
    expect(c.records()).toHaveLength(3);
    expect(log.ackedThrough()).toBe(3);

    const slow = await rogue(() => undefined);
    log.record(entry(9));
    const hanging = new AuditUploader(log, { url: slow, timeoutMs: 60_000 });
    const round = hanging.uploadOnce();
    await new Promise((r) => setTimeout(r, 50));
    await hanging.stop();
    expect(await round).toMatchObject({ ok: false, error: 'stopped' });
  });
});

describe('AuditUploader backoff', () => {
  it('doubles the wait after each failure up to the bound, with jitter in the upper half, and resets on success', async () => {
    const { c, url } = await collector();
    log.record(entry(1));
    let jitter = 1;
    const up = new AuditUploader(log, { url, periodMs: 1000, maxBackoffMs: 5000, timeoutMs: 5000, random: () => jitter });
    expect(up.nextDelayMs()).toBe(1000);
    c.refuseNext(4);
    const delays: number[] = [];
    for (let i = 0; i < 4; i++) {
      await up.uploadOnce();
      delays.push(up.nextDelayMs());
    }
    expect(delays).toEqual([1000, 2000, 4000, 5000]);
    jitter = 0;
    expect(up.nextDelayMs()).toBe(2500);
    expect((await up.uploadOnce()).ok).toBe(true);
    expect(up.nextDelayMs()).toBe(1000);
  });
});
