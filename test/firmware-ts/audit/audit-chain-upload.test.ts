/**
 * The upload carries the chain, and the simulator's collector holds each device's chain across
 * uploads: a batch that does not continue what it holds (a record changed after it was sent, a
 * hole, another device key, a checkpoint signed by someone else) is refused with a one-line
 * reason, stored nowhere, and the device keeps the records pending and says why. An SM2 device's
 * SM3 chain, written and signed by the writer's worker, is checked the same way. Real SQLite files
 * and a real collector on 127.0.0.1.
 */
import { generateKeyPairSync, sign } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import smCrypto from 'sm-crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AuditLog } from '../../../firmware-ts/audit/audit-log.js';
import { AuditUploader } from '../../../firmware-ts/audit/audit-uploader.js';
import { AuditWriter } from '../../../firmware-ts/audit/audit-writer.js';
import { checkpointMessage } from '../../../firmware-ts/audit/chain-codec.js';
import { makeDeviceKey, type DeviceKey } from '../../../firmware-ts/audit/device-key.js';
import { postJson } from '../../../firmware-ts/audit/upload-client.js';
import { openDatabase, type Db } from '../../../firmware-ts/store/database.js';
import { AuditCollector } from '../../../sim/audit/audit-collector.js';
import { uploadEntry as entry } from './fixtures/upload-entry.js';

let dir: string;
let db: Db;
let key: DeviceKey;
let log: AuditLog;
let collector: AuditCollector;
let url: string;

const uploader = (deviceKey = key.info) => new AuditUploader(log, { url, deviceKey, batchSize: 5, timeoutMs: 5000 });

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'roadscan-chain-upload-'));
  const file = join(dir, 'unit.db');
  key = makeDeviceKey(file).key;
  db = openDatabase(file);
  log = new AuditLog(db, { deviceId: 'unit-7', operator: 'op-1' }, { key: key.signing, checkpointEvery: 4 });
  collector = new AuditCollector();
  url = (await collector.start()).url;
});
afterEach(async () => {
  await collector.stop();
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('the collector holds each device chain across uploads', () => {
  it('takes batch after batch that continue it, with their signed checkpoints', async () => {
    for (let i = 0; i < 7; i++) log.record(entry(i));
    expect(await uploader().uploadOnce()).toEqual({ ok: true, acked: 7, pending: 0 });
    for (let i = 7; i < 12; i++) log.record(entry(i));
    expect(await uploader().uploadOnce()).toEqual({ ok: true, acked: 5, pending: 0 });
    expect(collector.records().map((r) => r.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    expect(collector.refusedBatches).toEqual([]);
  });

  it('refuses a record changed after the collector took it (a fork)', async () => {
    for (let i = 0; i < 5; i++) log.record(entry(i));
    await uploader().uploadOnce();
    db.exec("UPDATE audit_log SET verdict = 'reject' WHERE seq = 5; UPDATE audit_state SET acked_through = 4");
    const round = await uploader().uploadOnce();
    expect(round).toEqual({ ok: false, acked: 0, pending: 1, error: 'collector answered HTTP 409: fork: seq 5 differs from the record the collector holds' });
    expect(collector.records()).toHaveLength(5);
  });

  it('refuses a batch that leaves a hole (records deleted before they were sent)', async () => {
    for (let i = 0; i < 5; i++) log.record(entry(i));
    await uploader().uploadOnce();
    for (let i = 5; i < 10; i++) log.record(entry(i));
    db.exec('DELETE FROM audit_log WHERE seq IN (6, 7)');
    const round = await uploader().uploadOnce();
    expect(round.error).toBe('collector answered HTTP 409: gap: the batch goes on at seq 8, but the collector holds this log through seq 5');
    expect(collector.records()).toHaveLength(5);
    expect(log.ackedThrough()).toBe(5);
  });

  it('refuses a record that does not follow the hash it holds (the chain rewritten)', async () => {
    for (let i = 0; i < 5; i++) log.record(entry(i));
    await uploader().uploadOnce();
    log.record(entry(5));
    db.prepare('UPDATE audit_log SET prev = ? WHERE seq = 6').run(Buffer.alloc(32, 7));
    expect((await uploader().uploadOnce()).error).toBe('collector answered HTTP 409: chain: seq 6 does not follow the hash of seq 5 the collector holds');
  });

  it('refuses another device key for the same device, and a checkpoint signed by another key', async () => {
    for (let i = 0; i < 3; i++) log.record(entry(i));
    await uploader().uploadOnce();
    mkdirSync(join(dir, 'other'));
    const other = makeDeviceKey(join(dir, 'other', 'x.db'));
    log.record(entry(3));
    expect((await uploader(other.key.info).uploadOnce()).error).toBe('collector answered HTTP 409: device key changed: device "unit-7" came with another key');

    const stranger = generateKeyPairSync('ed25519').privateKey;
    const [checkpoint] = log.checkpointsBetween(4, 4);
    expect(checkpoint).toMatchObject({ kind: 'count', seq: 4 });
    const forged = { ...checkpoint!, sig: sign(null, checkpointMessage(checkpoint!), stranger).toString('base64') };
    const reply = await postJson(url, { device: 'unit-7', log: log.logId, records: log.pending(5), deviceKey: key.info, checkpoints: [forged] }, { timeoutMs: 5000 });
    expect(reply).toMatchObject({ status: 409, body: { error: 'forged: the count checkpoint at seq 4 is not signed by the device key' } });
    expect(collector.records()).toHaveLength(3);
  });
});

describe('an SM2 device: SM3 chain, SM2 checkpoints signed by the writer worker', () => {
  it('the collector takes its batches and checks its SM2 checkpoints; one signed by another SM2 key, or an SM3 chain said to be SHA-256, is refused', async () => {
    mkdirSync(join(dir, 'sm2'));
    const file = join(dir, 'sm2', 'unit.db');
    const sm2Key = makeDeviceKey(file, 'SM2').key;
    expect(sm2Key.info.alg).toBe('SM2');
    const sdb = openDatabase(file);
    try {
      const meta = { deviceId: 'unit-sm2', operator: 'op-1' };
      const slog = new AuditLog(sdb, meta, { key: sm2Key.signing, checkpointEvery: 4 });
      expect(slog.hashAlg).toBe('sm3');
      const writer = new AuditWriter({ file, meta, key: sm2Key.signing, checkpointEvery: 4 });
      for (let i = 0; i < 9; i++) writer.submit(entry(i));
      expect(await writer.idle(30_000)).toBe(true);
      expect(await writer.close()).toBe(0);
      expect(slog.checkpoints().map((c) => [c.kind, c.seq, c.hashAlg, c.keyAlg])).toEqual([
        ['start', 0, 'sm3', 'SM2'],
        ['count', 4, 'sm3', 'SM2'],
        ['count', 8, 'sm3', 'SM2'],
        ['stop', 9, 'sm3', 'SM2'],
      ]);
      const up = new AuditUploader(slog, { url, deviceKey: sm2Key.info, batchSize: 5, timeoutMs: 5000 });
      expect(await up.uploadOnce()).toEqual({ ok: true, acked: 9, pending: 0 });
      expect(collector.refusedBatches).toEqual([]);

      // The worker is closed; the next record is written on the log's own connection.
      slog.record(entry(9));
      const [stop] = slog.checkpointsBetween(9, 9);
      const otherD = '3945208f7b2144b13f36e38ac6d39f95889393692860b51a42fb81ef4df7c5b8';
      const forgedSig = Buffer.from(smCrypto.sm2.doSignature(Array.from(checkpointMessage(stop!)), otherD, { hash: true, der: false }), 'hex').toString('base64');
      const batch = { device: 'unit-sm2', log: slog.logId, hashAlg: 'sm3', records: slog.pending(5), deviceKey: sm2Key.info };
      const forged = await postJson(url, { ...batch, checkpoints: [{ ...stop!, sig: forgedSig }] }, { timeoutMs: 5000 });
      expect(forged).toMatchObject({ status: 409, body: { error: 'forged: the stop checkpoint at seq 9 is not signed by the device key' } });
      const claimedSha = await postJson(url, { ...batch, hashAlg: 'sha256', checkpoints: [] }, { timeoutMs: 5000 });
      expect(claimedSha).toMatchObject({ status: 409, body: { error: "chain: the log's hash was sm3, the batch says sha256" } });
      expect(await up.uploadOnce()).toEqual({ ok: true, acked: 1, pending: 0 });
      expect(
        collector
          .records()
          .filter((r) => r.log === slog.logId)
          .map((r) => r.seq),
      ).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    } finally {
      sdb.close();
    }
  });
});
