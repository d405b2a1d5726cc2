import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestAuthority } from '../../sim/authority/test-authority.js';
import { runCli } from '../helpers/cli.js';
import { NOW, NOW_ISO, reasonCases, type Setting } from '../helpers/reason-cases.js';
import { vectors } from '../helpers/vectors.js';

let dir: string;
let trustFile: string;
const authority = TestAuthority.create();

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'roadscan-verify-'));
  trustFile = join(dir, 'trust.json');
  writeFileSync(trustFile, JSON.stringify(authority.trustList()));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function settingArgs(s: Setting, db: string): string[] {
  return ['--json', '--trust', trustFile, '--db', db, '--now', NOW_ISO, '--profile', s.profile, '--region', s.region, ...(s.station ? ['--station', s.station] : [])];
}

describe('roadscan verify: every reason code through the command line', () => {
  it('answers each group of codes on standard input, one JSON object per line, in order', async () => {
    const cases = reasonCases(authority);
    const groups = new Map<string, typeof cases>();
    for (const k of cases) groups.set(JSON.stringify(k.setting), [...(groups.get(JSON.stringify(k.setting)) ?? []), k]);
    let n = 0;
    for (const [key, group] of groups) {
      const res = await runCli(['verify', ...settingArgs(JSON.parse(key), join(dir, `g${n++}.db`))], { input: group.map((k) => k.text).join('\n') + '\n' });
      expect(res.stderr).toBe('');
      expect(res.code).toBe(0);
      const answers = res.stdout
        .trimEnd()
        .split('\n')
        .map((l) => JSON.parse(l));
      expect(answers).toHaveLength(group.length);
      group.forEach((k, i) => expect({ name: k.name, reasons: answers[i].reasons }).toEqual({ name: k.name, reasons: [...k.reasons, 'STATUS_LIST_STALE'] }));
    }
  });

  it('exit status for one TEXT: 3 warn, 1 reject, and the JSON shape of docs/CLI.md', async () => {
    const args = settingArgs({ profile: 'roadside', region: '110105' }, join(dir, 'single.db'));
    const warn = await runCli(['verify', ...args, authority.code({ type: 'DL', now: NOW }).text]);
    expect(warn.code).toBe(3);
    const answer = JSON.parse(warn.stdout);
    expect(Object.keys(answer)).toEqual(['verdict', 'reasons', 'type', 'fields', 'ms']);
    expect(answer).toMatchObject({ verdict: 'warn', reasons: ['STATUS_LIST_STALE'], type: 'DL' });
    expect(answer.fields.name).toBe('张*');
    expect(typeof answer.ms).toBe('number');
    const reject = await runCli(['verify', ...args, 'RS1:%%%']);
    expect(reject.code).toBe(1);
    expect(JSON.parse(reject.stdout)).toMatchObject({ verdict: 'reject', reasons: ['MALFORMED', 'STATUS_LIST_STALE'], type: null });
  });

  it('prints a readable line without --json', async () => {
    const res = await runCli(['verify', '--trust', trustFile, '--db', join(dir, 'h.db'), '--now', NOW_ISO, authority.code({ type: 'VR', now: NOW }).text]);
    expect(res.code).toBe(3);
    expect(res.stdout).toMatch(/^WARN\s+VR\s+PAPER_REQUIRED,STATUS_LIST_STALE\s+plate=京A·12345/);
  });

  it('answers CRLF lines, empty lines, over-long lines and binary junk line by line', async () => {
    const good = authority.code({ type: 'DL', now: NOW }).text;
    const input = Buffer.concat([
      Buffer.from(`${good}\r\n\n${'RS1:' + 'A'.repeat(100_000)}\n`),
      Buffer.from([0xff, 0xfe, 0x00, 0x1b, 0x5b, 0x32, 0x4a, 0x0a]),
      Buffer.from(`${good}`),
    ]);
    const res = await runCli(['verify', ...settingArgs({ profile: 'roadside', region: '110105' }, join(dir, 'junk.db'))], { input });
    expect(res.code).toBe(0);
    const verdicts = res.stdout
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l).verdict);
    expect(verdicts).toEqual(['warn', 'reject', 'reject', 'reject', 'warn']);
  });

  it('the spec vectors through the command line', async () => {
    const trust = join(dir, 'vector-trust.json');
    writeFileSync(trust, JSON.stringify(vectors.trust));
    for (const v of vectors.vectors) {
      const res = await runCli([
        'verify',
        '--json',
        '--trust',
        trust,
        '--db',
        join(dir, `v-${v.name}.db`),
        '--now',
        v.now,
        '--profile',
        v.profile,
        '--region',
        v.region,
        ...(v.station ? ['--station', v.station] : []),
        v.qr,
      ]);
      expect({ name: v.name, reasons: JSON.parse(res.stdout).reasons }).toEqual({ name: v.name, reasons: [...v.expect.reasons, 'STATUS_LIST_STALE'] });
    }
  });
});

describe('roadscan verify: usage and configuration errors exit 2 with one line', () => {
  it.each([
    ['a bad --now', ['--now', 'yesterday']],
    ['a bad --region', ['--region', '11']],
    ['a bad --profile', ['--profile', 'airport']],
    ['a missing trust file', ['--trust', '/nonexistent/trust.json']],
    ['the gate without a station', ['--profile', 'gate']],
    ['an unknown option', ['--frobnicate']],
  ])('%s', async (_name, extra) => {
    const args = ['verify', '--trust', trustFile, '--db', join(dir, 'u.db'), ...extra, 'RS1:AAA'];
    const res = await runCli(args);
    expect(res.code).toBe(2);
    expect(res.stdout).toBe('');
    expect(res.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(res.stderr).not.toMatch(/\n\s+at /);
  });

  it('a trust list that is not valid', async () => {
    const bad = join(dir, 'bad-trust.json');
    writeFileSync(bad, JSON.stringify({ version: 1, issuers: [{ kid: 'x' }] }));
    const res = await runCli(['verify', '--trust', bad, '--db', join(dir, 'u.db'), 'RS1:AAA']);
    expect(res.code).toBe(2);
    expect(res.stderr).toMatch(/trust list: issuers\.0\.kid/);
  });

  it('a configuration file with an unknown key names the key', async () => {
    const cfg = join(dir, 'bad-config.json');
    writeFileSync(cfg, JSON.stringify({ station: { code: 'S1', gate: true } }));
    const res = await runCli(['verify', '--config', cfg, '--trust', trustFile, 'RS1:AAA']);
    expect(res.code).toBe(2);
    expect(res.stderr).toMatch(/station\.gate: unknown key/);
  });
});
