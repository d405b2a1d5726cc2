/**
 * `roadscan audit export|upload|purge` through the real command line, against a real database
 * file and a real collector on 127.0.0.1.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuditLog } from '../../../firmware-ts/audit/audit-log.js';
import { openDatabase } from '../../../firmware-ts/store/database.js';
import { AuditCollector } from '../../../sim/audit/audit-collector.js';
import { BIN, runCli } from '../../helpers/cli.js';
import { makeSelfSigned } from '../../helpers/test-pki.js';

const T0 = Date.parse('2026-11-20T02:00:00Z') / 1000;
const DAY = 86400;
let dir: string;
let dbFile: string;

function seed(file: string, ages: number[]): void {
  const db = openDatabase(file);
  const log = new AuditLog(db, { deviceId: 'unit-7', operator: 'op-1' });
  ages.forEach((ageDays, i) =>
    log.record({
      atSec: T0 - ageDays * DAY,
      reliable: true,
      profile: 'roadside',
      region: '110105',
      station: null,
      result: { verdict: i % 2 ? 'reject' : 'accept', reasons: i % 2 ? ['EXPIRED'] : [], type: 'DL', statusKey: String(i).padStart(32, '0'), ms: 0.5 },
    }),
  );
  db.close();
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'roadscan-audit-cli-'));
  dbFile = join(dir, 'unit.db');
  seed(dbFile, [120, 60, 30, 1, 0]);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('roadscan audit export', () => {
  it('prints NDJSON from --since on, oldest first, the same objects an upload sends', async () => {
    const res = await runCli(['audit', 'export', '--db', dbFile, '--since', '2026-10-21T00:00:00Z']);
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    const lines = res.stdout
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines.map((l) => l.at)).toEqual(['2026-10-21T02:00:00.000Z', '2026-11-19T02:00:00.000Z', '2026-11-20T02:00:00.000Z']);
    expect(lines[0]).toEqual({
      seq: 3,
      at: '2026-10-21T02:00:00.000Z',
      device: 'unit-7',
      operator: 'op-1',
      profile: 'roadside',
      region: '110105',
      station: null,
      verdict: 'accept',
      reasons: [],
      type: 'DL',
      statusKey: '2'.padStart(32, '0'),
      clockReliable: true,
      ms: 0.5,
      prev: expect.stringMatching(/^[0-9a-f]{64}$/),
      salt: expect.stringMatching(/^[0-9a-f]{32}$/),
    });
    const all = await runCli(['audit', 'export', '--db', dbFile]);
    expect(all.stdout.trimEnd().split('\n')).toHaveLength(5);
  });

  it('refuses a bad instant or a database that does not exist, with one line and exit 2', async () => {
    const bad = await runCli(['audit', 'export', '--db', dbFile, '--since', 'yesterday']);
    expect({ code: bad.code, stdout: bad.stdout }).toEqual({ code: 2, stdout: '' });
    expect(bad.stderr).toMatch(/^roadscan: --since: not an ISO-8601 instant: "yesterday"\n$/);
    const missing = await runCli(['audit', 'export', '--db', join(dir, 'nope.db')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/^roadscan: database .*nope\.db: not found \(.*\)\n$/);
  });
});

describe('roadscan audit upload', () => {
  it('sends every pending record to an HTTPS collector with the given CA, once', async () => {
    const tls = makeSelfSigned(dir);
    const ca = join(dir, 'ca.pem');
    writeFileSync(ca, tls.cert);
    const collector = new AuditCollector({ tls });
    const { url } = await collector.start();
    try {
      const file = join(dir, 'upload.db');
      seed(file, [3, 2, 1]);
      const res = await runCli(['audit', 'upload', '--db', file, '--url', url, '--ca', ca]);
      expect({ code: res.code, stderr: res.stderr }).toEqual({ code: 0, stderr: '' });
      expect(JSON.parse(res.stdout)).toEqual({ ok: true, acked: 3, pending: 0 });
      expect(collector.records().map((r) => r.seq)).toEqual([1, 2, 3]);
      const again = await runCli(['audit', 'upload', '--db', file, '--url', url, '--ca', ca]);
      expect(JSON.parse(again.stdout)).toEqual({ ok: true, acked: 0, pending: 0 });
      // Without the CA the certificate cannot be verified: exit 1, nothing more acknowledged.
      seed(file, [0]);
      const noCa = await runCli(['audit', 'upload', '--db', file, '--url', url]);
      expect(noCa.code).toBe(1);
      expect(JSON.parse(noCa.stdout)).toMatchObject({ ok: false, acked: 0, pending: 1 });
    } finally {
      await collector.stop();
    }
  });

  it('needs a collector, and refuses plain http to another host', async () => {
    const none = await runCli(['audit', 'upload', '--db', dbFile]);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/no collector: set audit\.uploadUrl/);
    const plain = await runCli(['audit', 'upload', '--db', dbFile, '--url', 'http://audit.example.org/']);
    expect(plain.code).toBe(2);
    expect(plain.stderr).toMatch(/--url: expected https:\/\//);
  });
});

describe('roadscan audit purge', () => {
  it('deletes records past the retention at an explicit instant', async () => {
    const file = join(dir, 'purge.db');
    seed(file, [120, 100, 89, 1]);
    const res = await runCli(['audit', 'purge', '--db', file, '--now', '2026-11-20T02:00:00Z']);
    expect(res.code).toBe(0);
    expect(JSON.parse(res.stdout)).toEqual({ deleted: 2, remaining: 2 });
  });
});

describe('roadscan sim audit-collector', () => {
  it('receives what `roadscan audit upload` sends, prints it as NDJSON, and stops on SIGTERM', async () => {
    const child = spawn(process.execPath, [BIN, 'sim', 'audit-collector', '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const url = await new Promise<string>((resolve, reject) => {
      child.stderr.on('data', (d: Buffer) => {
        err += d.toString();
        const m = /audit collector at (\S+)\n/.exec(err);
        if (m) resolve(m[1]!);
      });
      child.on('exit', () => reject(new Error(`collector exited: ${err}`)));
    });
    const file = join(dir, 'collector.db');
    seed(file, [2, 1]);
    const res = await runCli(['audit', 'upload', '--db', file, '--url', url]);
    expect(JSON.parse(res.stdout)).toEqual({ ok: true, acked: 2, pending: 0 });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    const lines = out
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines.map((l) => [l.seq, l.record.device])).toEqual([
      [1, 'unit-7'],
      [2, 'unit-7'],
    ]);
  });
});
