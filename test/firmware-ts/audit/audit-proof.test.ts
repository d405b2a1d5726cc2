/**
 * `roadscan audit export --proof` and `roadscan audit verify` through the real command line,
 * against real database files tampered with the way someone holding the SD card would: a field
 * edited, a record deleted, two swapped, the tail cut, an old export replayed, a checkpoint
 * forged with another key, two histories from one copied card. Each is caught with its own
 * message; the untouched export verifies. All of it twice: with an Ed25519 device key (SHA-256
 * chain) and with an SM2 one (SM3 chain), whose checkpoint signatures sm-crypto (an SM2
 * implementation the product does not use) verifies too. An export made before checkpoints said
 * their key's algorithm (fixtures/proof-v1) still verifies.
 */
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { generateKeyPairSync, sign } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import smCrypto from 'sm-crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeviceKeyAlg } from '../../../firmware-ts/audit/audit-chain.js';
import { AuditLog, type AuditEntry } from '../../../firmware-ts/audit/audit-log.js';
import { checkpointMessage } from '../../../firmware-ts/audit/chain-codec.js';
import { deviceKeyFiles, makeDeviceKey, readDeviceKeyInfo } from '../../../firmware-ts/audit/device-key.js';
import { openDatabase } from '../../../firmware-ts/store/database.js';
import { runCli } from '../../helpers/cli.js';

const T0 = Date.parse('2026-11-20T02:00:00Z') / 1000;
const DEVICE = 'roadscan-dev'; // the default configuration's, which the CLI signs its export with
const ALGS: readonly DeviceKeyAlg[] = ['Ed25519', 'SM2'];
let dir: string;
const templates = new Map<DeviceKeyAlg, string>();
let n = 0;

function entry(i: number): AuditEntry {
  return {
    atSec: T0 + i * 60,
    reliable: true,
    profile: 'roadside',
    region: '110105',
    station: null,
    result: { verdict: i % 3 ? 'accept' : 'reject', reasons: i % 3 ? [] : ['EXPIRED'], type: 'DL', statusKey: String(i).padStart(32, '0'), ms: 0.25 * i },
  };
}

/** A log in `file` with the device key beside it (made with `alg` if none), a count checkpoint every 5. */
function withLog<T>(file: string, fn: (log: AuditLog) => T, alg: DeviceKeyAlg = 'Ed25519'): T {
  const key = makeDeviceKey(file, alg).key;
  const db = openDatabase(file);
  try {
    return fn(new AuditLog(db, { deviceId: DEVICE, operator: 'op-1' }, { key: key.signing, checkpointEvery: 5 }));
  } finally {
    db.close();
  }
}

/** A fresh copy of the template database (12 records) and its `alg` key, in a folder of its own. */
function copy(alg: DeviceKeyAlg): string {
  const template = templates.get(alg)!;
  const sub = join(dir, `c${n++}`);
  rmSync(sub, { recursive: true, force: true });
  mkdirSync(sub);
  const file = join(sub, 'unit.db');
  copyFileSync(template, file);
  for (const f of Object.values(deviceKeyFiles(template))) copyFileSync(f, join(sub, f.split('/').pop()!));
  return file;
}

function sql(file: string, statements: string): void {
  const db = openDatabase(file);
  db.exec(statements);
  db.close();
}

async function exportProof(file: string, extra: string[] = []): Promise<string> {
  const res = await runCli(['audit', 'export', '--db', file, '--proof', ...extra]);
  expect(res.stderr).toBe('');
  expect(res.code).toBe(0);
  const out = join(file, '..', `export-${n++}.ndjson`);
  writeFileSync(out, res.stdout);
  return out;
}

async function verify(exportFile: string, keyOf: string, extra: string[] = []) {
  const res = await runCli(['audit', 'verify', exportFile, '--device-key', deviceKeyFiles(keyOf).publicFile, ...extra]);
  const lines = res.stdout.trimEnd().split('\n');
  return { code: res.code, stderr: res.stderr, problems: lines.slice(0, -1), last: lines[lines.length - 1]! };
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'roadscan-audit-proof-'));
  for (const alg of ALGS) {
    mkdirSync(join(dir, `template-${alg}`));
    const template = join(dir, `template-${alg}`, 'unit.db');
    withLog(
      template,
      (log) => {
        for (let i = 1; i <= 12; i++) log.record(entry(i));
      },
      alg,
    );
    templates.set(alg, template);
  }
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Another key of `alg` signing `message` (SM2 with sm-crypto: another implementation). */
function otherSignature(alg: DeviceKeyAlg, message: Buffer): Buffer {
  if (alg === 'Ed25519') return sign(null, message, generateKeyPairSync('ed25519').privateKey);
  const d = '3945208f7b2144b13f36e38ac6d39f95889393692860b51a42fb81ef4df7c5b8';
  return Buffer.from(smCrypto.sm2.doSignature(Array.from(message), d, { hash: true, der: false }), 'hex');
}

describe.each(ALGS)('roadscan audit export --proof | audit verify, %s device key', (alg) => {
  it('an untouched export verifies: exit 0, one line', async () => {
    const file = copy(alg);
    const v = await verify(await exportProof(file), file);
    expect(v.problems).toEqual([]);
    expect(v.last).toMatch(/^ok: 12 records \(seq 1\.\.12\), \d+ checkpoints: the chain is whole/);
    expect(v.code).toBe(0);
  });

  it('a field edited in the SQLite file', async () => {
    const file = copy(alg);
    sql(file, "UPDATE audit_log SET verdict = 'accept', reasons = '' WHERE seq = 3");
    const v = await verify(await exportProof(file), file);
    expect(v.problems).toEqual(['edited: seq 3: its fields do not give the hash seq 4 carries']);
    expect(v.last).toMatch(/^NOT OK: /);
    expect(v.code).toBe(1);
  });

  it('the head record edited after the stop checkpoint covering it: that checkpoint says so', async () => {
    const file = copy(alg);
    withLog(file, (log) => log.checkpointHead('stop'));
    sql(file, "UPDATE audit_log SET region = '110106' WHERE seq = 12");
    const v = await verify(await exportProof(file), file);
    expect(v.problems).toEqual(['edited: seq 12: its fields do not give the hash the stop checkpoint signed']);
    expect(v.code).toBe(1);
  });

  it('a record deleted', async () => {
    const file = copy(alg);
    sql(file, 'DELETE FROM audit_log WHERE seq = 7');
    const v = await verify(await exportProof(file), file);
    expect(v.problems).toEqual(['gap: seq 7 is missing']);
    expect(v.code).toBe(1);
  });

  it('two records swapped', async () => {
    const file = copy(alg);
    sql(
      file,
      `UPDATE audit_log SET seq = -1 WHERE seq = 7;
       UPDATE audit_log SET seq = 7 WHERE seq = 8;
       UPDATE audit_log SET seq = 8 WHERE seq = -1;`,
    );
    const v = await verify(await exportProof(file), file);
    expect(v.problems).toEqual(['reordered: seq 7..8 are not in the order they were chained']);
    expect(v.code).toBe(1);
  });

  it('the tail truncated', async () => {
    const file = copy(alg);
    sql(file, 'DELETE FROM audit_log WHERE seq > 9');
    const v = await verify(await exportProof(file), file);
    // The head is the last record held: what was cut shows against the last checkpoint (here the
    // count one at 10; the collector and earlier exports hold the rest).
    expect(v.problems).toEqual(['truncated: the records end at seq 9, but the count checkpoint signed seq 10']);
    expect(v.code).toBe(1);
  });

  it('the export file cut short', async () => {
    const file = copy(alg);
    const out = await exportProof(file);
    const lines = readFileSync(out, 'utf8').trimEnd().split('\n');
    writeFileSync(out, `${lines.slice(0, -3).join('\n')}\n`);
    const v = await verify(out, file);
    expect(v.problems).toEqual(['missing checkpoint: the export has no closing checkpoint (the file was cut short or added to)']);
  });

  it('a checkpoint deleted from the SQLite file', async () => {
    const file = copy(alg);
    sql(file, "DELETE FROM audit_checkpoint WHERE kind = 'count' AND seq = 10");
    const v = await verify(await exportProof(file), file);
    expect(v.problems).toEqual(['missing checkpoint: none at seq 10 (one every 5 records)']);
  });

  it('an old export replayed: it answers an older challenge', async () => {
    const file = copy(alg);
    const old = await exportProof(file, ['--challenge', 'inspector-0001']);
    withLog(file, (log) => log.record(entry(13)));
    expect((await verify(await exportProof(file, ['--challenge', 'inspector-0002']), file, ['--challenge', 'inspector-0002'])).code).toBe(0);
    const v = await verify(old, file, ['--challenge', 'inspector-0002']);
    expect(v.problems).toEqual(['replayed: the export answers challenge "inspector-0001", not "inspector-0002": an older export']);
    expect(v.code).toBe(1);
  });

  it('records of an old export replayed into a new one', async () => {
    const file = copy(alg);
    const out = await exportProof(file);
    const lines = readFileSync(out, 'utf8').trimEnd().split('\n');
    const record4 = lines.find((l) => l.startsWith('{"seq":4,'))!;
    lines.splice(lines.length - 1, 0, record4);
    writeFileSync(out, `${lines.join('\n')}\n`);
    const v = await verify(out, file);
    expect(v.problems[0]).toMatch(/^replayed: seq 4 appears twice \(lines \d+ and \d+\)$/);
  });

  it('a checkpoint forged with another key', async () => {
    const file = copy(alg);
    const out = await exportProof(file);
    const lines = readFileSync(out, 'utf8')
      .trimEnd()
      .split('\n')
      .map((l) => {
        const o = JSON.parse(l) as { checkpoint?: Parameters<typeof checkpointMessage>[0] & { sig: string } };
        if (o.checkpoint?.kind !== 'count' || o.checkpoint.seq !== 5) return l;
        o.checkpoint.hash = 'f'.repeat(64);
        o.checkpoint.sig = otherSignature(alg, checkpointMessage(o.checkpoint)).toString('base64');
        return JSON.stringify(o);
      });
    writeFileSync(out, `${lines.join('\n')}\n`);
    const v = await verify(out, file);
    expect(v.problems).toEqual([expect.stringMatching(/^forged: the count checkpoint at seq 5 \(line \d+\) is not signed by this device key$/)]);
    expect(v.code).toBe(1);
  });

  it('a fork: two histories from one copied card, both signed', async () => {
    const a = copy(alg);
    const b = copy(alg);
    copyFileSync(deviceKeyFiles(a).privateFile, deviceKeyFiles(b).privateFile);
    copyFileSync(deviceKeyFiles(a).publicFile, deviceKeyFiles(b).publicFile);
    withLog(a, (log) => log.record(entry(13)));
    withLog(b, (log) => log.record(entry(14)));
    const outA = await exportProof(a);
    const outB = await exportProof(b);
    const linesA = readFileSync(outA, 'utf8').trimEnd().split('\n');
    const closingB = readFileSync(outB, 'utf8').trimEnd().split('\n').pop()!;
    linesA.splice(1, 0, closingB);
    writeFileSync(outA, `${linesA.join('\n')}\n`);
    const v = await verify(outA, a);
    expect(v.problems).toEqual(['fork: 2 signed checkpoints at seq 13 vouch for different histories']);
  });

  it('a purge leaves a signed checkpoint the rest follows; the export verifies', async () => {
    const file = copy(alg);
    const purged = withLog(file, (log) => log.purge(T0 + 6 * 60 + 90 * 86400, 90));
    expect(purged).toBe(5);
    const out = await exportProof(file);
    const purge = readFileSync(out, 'utf8')
      .split('\n')
      .filter((l) => l.includes('"kind":"purge"'))
      .map((l) => JSON.parse(l).checkpoint);
    expect(purge).toEqual([expect.objectContaining({ kind: 'purge', seq: 5, fromSeq: 1, count: 5 })]);
    // Only the count and the hash it ends on: nothing of what the removed records said.
    expect(Object.keys(purge[0]).sort()).toEqual([
      'atSec',
      'challenge',
      'count',
      'device',
      'every',
      'fromSeq',
      'hash',
      'hashAlg',
      'keyAlg',
      'keyId',
      'kind',
      'log',
      'seq',
      'sig',
    ]);
    const v = await verify(out, file);
    expect(v.problems).toEqual([]);
    expect(v.last).toMatch(/^ok: 7 records \(seq 6\.\.12\)/);
  });

  it('refuses what it cannot check: exit 2, one line', async () => {
    const file = copy(alg);
    const garbage = join(dir, 'garbage.ndjson');
    writeFileSync(garbage, 'not json\n');
    const v = await verify(garbage, file);
    expect(v.code).toBe(1);
    expect(v.problems).toEqual(['line 1: not JSON']);
    const noKey = await runCli(['audit', 'verify', garbage, '--device-key', 'not-a-key']);
    expect(noKey.code).toBe(2);
    expect(noKey.stderr.trim().split('\n')).toHaveLength(1);
  });
});

describe('the device key algorithm in the proof', () => {
  const fixture = fileURLToPath(new URL('./fixtures/proof-v1/', import.meta.url));

  it('an export made before checkpoints said their key algorithm (fixtures/proof-v1, Ed25519, SHA-256) still verifies', async () => {
    const res = await runCli(['audit', 'verify', join(fixture, 'export.ndjson'), '--device-key', join(fixture, 'device-key.pub.pem'), '--challenge', 'inspector-0001']);
    expect(res.stdout).toMatch(/^ok: 10 records \(seq 4\.\.13\), 6 checkpoints: the chain is whole/);
    expect(res.code).toBe(0);
  });

  it('an SM2 device: SM3 chain, the algorithms said in the header and signed in every checkpoint, sm-crypto verifies each signature', async () => {
    const file = copy('SM2');
    const lines = readFileSync(await exportProof(file), 'utf8')
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines[0]).toMatchObject({ hashAlg: 'sm3', deviceKey: { alg: 'SM2' } });
    const point = Buffer.from(readDeviceKeyInfo(file)!.publicKey, 'base64').subarray(-65);
    const cps = lines.filter((l) => l.checkpoint).map((l) => l.checkpoint);
    expect(cps.length).toBeGreaterThanOrEqual(4);
    for (const c of cps) {
      expect(c).toMatchObject({ hashAlg: 'sm3', keyAlg: 'SM2' });
      const sigHex = Buffer.from(c.sig, 'base64').toString('hex');
      expect(smCrypto.sm2.doVerifySignature(Array.from(checkpointMessage(c)), sigHex, point.toString('hex'), { hash: true })).toBe(true);
      expect(smCrypto.sm2.doVerifySignature(Array.from(checkpointMessage({ ...c, seq: c.seq + 1 })), sigHex, point.toString('hex'), { hash: true })).toBe(false);
    }
  });

  it('audit verify takes the SM2 key as a trust list writes one (the raw point, base64url) or in hex; an Ed25519 key is told apart', async () => {
    const file = copy('SM2');
    const out = await exportProof(file);
    const point = Buffer.from(readDeviceKeyInfo(file)!.publicKey, 'base64').subarray(-65);
    for (const key of [point.toString('base64url'), point.toString('hex')]) {
      const res = await runCli(['audit', 'verify', out, '--device-key', key]);
      expect(res.stdout).toMatch(/^ok: 12 records/);
      expect(res.code).toBe(0);
    }
    const ed = copy('Ed25519');
    const v = await verify(out, ed);
    expect(v.problems[0]).toMatch(/^forged: the start checkpoint at seq 0 \(line \d+\) says an SM2 key signed it, but the device key given is Ed25519$/);
    expect(v.code).toBe(1);
    const offCurve = Buffer.from(point);
    offCurve[64]! ^= 1;
    const bad = await runCli(['audit', 'verify', out, '--device-key', offCurve.toString('hex')]);
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('an Ed25519 device whose trust list turns SM2 keeps its key and its SHA-256 chain: nothing changes silently, and it verifies', async () => {
    const file = copy('Ed25519');
    const { key, made } = makeDeviceKey(file, 'SM2');
    expect({ alg: key.info.alg, made }).toEqual({ alg: 'Ed25519', made: false });
    withLog(file, (log) => log.record(entry(13)), 'SM2');
    const lines = readFileSync(await exportProof(file), 'utf8')
      .trimEnd()
      .split('\n');
    expect(JSON.parse(lines[0]!)).toMatchObject({ hashAlg: 'sha256', deviceKey: { alg: 'Ed25519' } });
    const v = await verify(await exportProof(file), file);
    expect(v.problems).toEqual([]);
    expect(v.last).toMatch(/^ok: 13 records/);
  });
});
