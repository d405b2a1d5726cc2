/**
 * The audit upload says who is uploading: the device presents a TLS client certificate (key and
 * certificate files from the configuration) and the simulated collector requires one signed by
 * the fleet's CA and named after the device of the batch. Certificates are made by openssl.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AuditLog, type AuditEntry } from '../../../firmware-ts/audit/audit-log.js';
import { AuditUploader } from '../../../firmware-ts/audit/audit-uploader.js';
import { readUploadTls } from '../../../firmware-ts/audit/upload-identity.js';
import { checkConfigFile } from '../../../firmware-ts/cli/commands/config.js';
import { openDatabase, type Db } from '../../../firmware-ts/store/database.js';
import { AuditCollector } from '../../../sim/audit/audit-collector.js';
import { issue, makeCa, type Pem } from '../../helpers/test-pki.js';

let pki: string;
let dir: string;
let db: Db;
let log: AuditLog;
let collector: AuditCollector;
let url: string;
let fleet: Pem;
let server: Pem;
let unit7: Pem;
let unit8: Pem;
let stranger: Pem;

const entry: AuditEntry = {
  atSec: Date.parse('2026-11-20T02:00:00Z') / 1000,
  reliable: true,
  profile: 'roadside',
  region: '110105',
  station: null,
  result: { verdict: 'accept', reasons: [], type: 'DL', statusKey: '00'.repeat(16), ms: 0.3 },
};

beforeAll(async () => {
  pki = mkdtempSync(join(tmpdir(), 'roadscan-pki-'));
  fleet = makeCa(pki, 'fleet-ca');
  server = issue(pki, fleet, 'collector', '127.0.0.1', 'server');
  unit7 = issue(pki, fleet, 'unit-7', 'unit-7', 'client');
  unit8 = issue(pki, fleet, 'unit-8', 'unit-8', 'client');
  const other = makeCa(pki, 'other-ca');
  stranger = issue(pki, other, 'stranger', 'unit-7', 'client');
  collector = new AuditCollector({ tls: { key: server.key, cert: server.cert }, clientCa: fleet.cert });
  ({ url } = await collector.start());
});
afterAll(async () => {
  await collector.stop();
  rmSync(pki, { recursive: true, force: true });
});
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'roadscan-mtls-'));
  db = openDatabase(join(dir, 'audit.db'));
  log = new AuditLog(db, { deviceId: 'unit-7', operator: 'op-1' });
  log.record(entry);
});
afterEach(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

const upload = (client?: Pem) =>
  new AuditUploader(log, {
    url,
    ca: fleet.cert,
    ...(client ? { clientCert: client.cert, clientKey: client.key } : {}),
    timeoutMs: 5000,
  }).uploadOnce();

describe('audit upload over mutual TLS', () => {
  it("is accepted with the device's own certificate, read from the configured files", async () => {
    const tls = readUploadTls({ caFile: fleet.certFile, certFile: unit7.certFile, keyFile: unit7.keyFile });
    const round = await new AuditUploader(log, { url, ...tls, timeoutMs: 5000 }).uploadOnce();
    expect(round).toEqual({ ok: true, acked: 1, pending: 0 });
    expect(collector.records().some((r) => r.log === log.logId)).toBe(true);
  });

  it('is refused without a client certificate, with the reason, and nothing is acknowledged', async () => {
    const round = await upload();
    expect(round.ok).toBe(false);
    expect(round.error).toBe('collector answered HTTP 401: no client certificate: the device must present its certificate');
    expect(log.ackedThrough()).toBe(0);
    expect(collector.records().some((r) => r.log === log.logId)).toBe(false);
  });

  it("is refused with another CA's certificate, even one naming the right device", async () => {
    const round = await upload(stranger);
    expect(round.ok).toBe(false);
    expect(round.error).toMatch(/^collector answered HTTP 401: client certificate not trusted \(/);
    expect(log.ackedThrough()).toBe(0);
    expect(collector.records().some((r) => r.log === log.logId)).toBe(false);
  });

  it("is refused with another device's certificate: a unit cannot post for another", async () => {
    const round = await upload(unit8);
    expect(round.error).toBe('collector answered HTTP 403: certificate is for device "unit-8", the batch names "unit-7"');
    expect(log.ackedThrough()).toBe(0);
  });

  it('config check refuses a half identity and a key that is not the certificate’s', async () => {
    const write = (name: string, audit: object) => {
      const f = join(dir, name);
      writeFileSync(f, JSON.stringify({ audit }));
      return f;
    };
    expect(await checkConfigFile(write('ok.json', { uploadCaFile: fleet.certFile, uploadCertFile: unit7.certFile, uploadKeyFile: unit7.keyFile }))).toEqual([]);
    const half = await checkConfigFile(write('half.json', { uploadCertFile: unit7.certFile }));
    expect(half).toEqual([expect.stringMatching(/audit.uploadCertFile: goes with audit.uploadKeyFile/)]);
    const mixed = await checkConfigFile(write('mixed.json', { uploadCertFile: unit7.certFile, uploadKeyFile: unit8.keyFile }));
    expect(mixed).toEqual([expect.stringMatching(/audit.uploadKeyFile: .*unit-8.key is not the key of .*unit-7.crt/)]);
  });
});
