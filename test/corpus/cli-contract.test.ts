/**
 * The parts of docs/CLI.md that scripts rely on around `verify`, checked from the outside: exit status
 * of a single TEXT (0 accept, 3 warn, 1 reject), a last stdin line without a newline still
 * answered, Windows line ends, and usage or configuration errors as exit 2 with one line on stderr.
 * @module
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { b64url } from './authority.js';
import { at } from './claims.js';
import { HOST_TIME_ZONE, REPO_ROOT, looksLikeStackTrace, runVerify } from './cli-runner.js';
import { IssuerKit } from './issuer-kit.js';
import { parseAnswer } from './output-check.js';

const BIN = fileURLToPath(new URL('../../bin/roadscan.js', import.meta.url));
const NOW = '2026-11-20T10:00:00+08:00';
const kit = new IssuerKit();
const now = at(NOW);
const dir = mkdtempSync(join(tmpdir(), 'roadscan-cli-'));
const trust = join(dir, 'trust.json');
writeFileSync(trust, JSON.stringify(kit.trustList()));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const common = (db = 'c.db'): string[] => ['--trust', trust, '--db', join(dir, db), '--now', NOW, '--profile', 'roadside', '--region', '110105'];

function verifyOne(args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, 'verify', ...args], { cwd: REPO_ROOT, encoding: 'utf8', env: { ...process.env, TZ: HOST_TIME_ZONE } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('verify TEXT', () => {
  it('exits 3 on warn, 1 on reject, with one JSON answer', () => {
    const warn = verifyOne(['--json', ...common(), kit.live(kit.claims('DL', now), { gen: now })]);
    expect(warn.code).toBe(3);
    expect(parseAnswer(warn.stdout.trim()).answer?.verdict).toBe('warn');
    const reject = verifyOne(['--json', ...common(), kit.bare(kit.claims('DL', now))]);
    expect(reject.code).toBe(1);
    expect(parseAnswer(reject.stdout.trim()).answer?.reasons).toEqual(['PRESENTATION_REQUIRED', 'STATUS_LIST_STALE']);
    const malformed = verifyOne(['--json', ...common(), 'RS1:%%%']);
    expect(malformed.code).toBe(1);
    expect(malformed.stdout.trim().split('\n')).toHaveLength(1);
  });
});

describe('verify on standard input', () => {
  it('answers a last line that has no newline', async () => {
    const good = kit.live(kit.claims('DL', now), { gen: now });
    const run = await runVerify(common('a.db'), `RS1:%%%\n${good}`);
    expect(run.code).toBe(0);
    expect(run.lines.map((l) => parseAnswer(l).answer?.verdict)).toEqual(['reject', 'warn']);
  });

  it('reads Windows line ends like Unix ones', async () => {
    const good = kit.live(kit.claims('DL', now), { gen: now });
    const run = await runVerify(common('b.db'), `${good}\r\n${good}\r\n`);
    expect(run.lines.map((l) => parseAnswer(l).answer?.verdict)).toEqual(['warn', 'warn']);
  });

  it('answers nothing for empty input and exits 0', async () => {
    const run = await runVerify(common('e.db'), '');
    expect(run.code).toBe(0);
    expect(run.lines).toEqual([]);
  });
});

describe('usage and configuration errors', () => {
  const badTrust = (name: string, content: string): string => {
    const file = join(dir, name);
    writeFileSync(file, content);
    return file;
  };
  const entry = (kid: Uint8Array, key: Uint8Array): string =>
    JSON.stringify({
      version: 1,
      issuers: [{ kid: b64url(kid), iss: 'CN-MPS-110000', key: b64url(key), types: ['DL'], notBefore: '2020-01-01T00:00:00Z', notAfter: '2040-01-01T00:00:00Z' }],
    });
  const cases: [string, string[]][] = [
    ['unknown profile', ['--profile', 'checkpoint']],
    ['unparseable --now', ['--now', 'yesterday noon']],
    ['region not 6 digits', ['--region', 'beijing']],
    ['trust list file missing', ['--trust', join(dir, 'nope.json')]],
    ['trust list not JSON', ['--trust', badTrust('t1.json', '{"version":')]],
    ['trust list kid of 7 bytes', ['--trust', badTrust('t2.json', entry(kit.mps.key.kid.subarray(0, 7), kit.mps.key.publicKey))]],
    ['trust list key of 31 bytes', ['--trust', badTrust('t3.json', entry(kit.mps.key.kid, kit.mps.key.publicKey.subarray(0, 31)))]],
  ];
  it.each(cases)('%s: exit 2, one line on stderr, no stack trace', (_label, override) => {
    const args = [...common('u.db')];
    for (let i = 0; i < override.length; i += 2) {
      const at2 = args.indexOf(override[i]!);
      args[at2 + 1] = override[i + 1]!;
    }
    const r = verifyOne(['--json', ...args, 'RS1:%%%']);
    expect(r.code, r.stderr).toBe(2);
    expect(looksLikeStackTrace(r.stderr), r.stderr).toBe(false);
    expect(r.stderr.trim().split('\n'), r.stderr).toHaveLength(1);
    expect(r.stdout).toBe('');
  });
});
