/**
 * `roadscan config check`: bad configuration files of many kinds, each refused with a line that
 * names the key and what was expected; good ones accepted. Most cases go through the check
 * function on real files; a few through the real command line, for exit status and streams.
 */
import { readFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkConfigFile } from '../../../firmware-ts/cli/commands/config.js';
import { parseConfig } from '../../../firmware-ts/config/parse.js';
import { DEFAULT_CONFIG_FILE, PACKAGE_ROOT } from '../../../firmware-ts/paths.js';
import { configSchemaText, CONFIG_SCHEMA_FILE } from '../../../scripts/build/config-schema.js';
import { runCli } from '../../helpers/cli.js';
import { makeCa } from '../../helpers/test-pki.js';

let dir: string;
let n = 0;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'roadscan-config-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(content: string | Buffer): string {
  const f = join(dir, `c${n++}.json`);
  writeFileSync(f, content);
  return f;
}
const json = (v: unknown) => file(JSON.stringify(v));
/** The problem of a line `FILE:LINE:COLUMN: problem` or `FILE: problem`. */
const problemOf = (line: string) => line.replace(/^.*?\.json(?::\d+:\d+)?: /, '');

/** [what is wrong, file content, the key each problem line must start with, what it must say]. */
const BAD: [string, () => string, string, RegExp][] = [
  ['not JSON', () => file('{"profile": "roadside",'), '', /not valid JSON/],
  ['empty file', () => file(''), '', /not valid JSON/],
  ['an array at the top', () => json([]), '(top level)', /expected object, received array/],
  ['null at the top', () => json(null), '(top level)', /expected object/],
  ['unknown top-level key', () => json({ profil: 'roadside' }), 'profil', /unknown key/],
  ['unknown nested key', () => json({ audit: { retentionDay: 30 } }), 'audit.retentionDay', /unknown key/],
  ['a section that is not an object', () => json({ audit: null }), 'audit', /expected object, received null/],
  ['a string for a number', () => json({ health: { port: '9464' } }), 'health.port', /expected number, received string/],
  ['a fraction for an integer', () => json({ audit: { uploadBatch: 1.5 } }), 'audit.uploadBatch', /expected int/],
  ['zero retention', () => json({ audit: { retentionDays: 0 } }), 'audit.retentionDays', />=1/],
  ['retention of a century', () => json({ audit: { retentionDays: 36500 } }), 'audit.retentionDays', /<=3650/],
  ['negative tolerance', () => json({ clock: { toleranceSec: -5 } }), 'clock.toleranceSec', />=0/],
  ['port out of range', () => json({ health: { port: 70000 } }), 'health.port', /<=65535/],
  ['a host name for the health address', () => json({ health: { host: 'example.com' } }), 'health.host', /IP address/],
  ['a boolean as a string', () => json({ health: { enabled: 'yes' } }), 'health.enabled', /expected boolean/],
  ['an unknown log level', () => json({ log: { level: 'loud' } }), 'log.level', /expected one of "fatal"/],
  ['plain http to another host', () => json({ audit: { uploadUrl: 'http://audit.example.org/v1' } }), 'audit.uploadUrl', /expected https:\/\//],
  ['ftp upload URL', () => json({ audit: { uploadUrl: 'ftp://127.0.0.1/x' } }), 'audit.uploadUrl', /https/],
  ['relative upload URL', () => json({ audit: { uploadUrl: '/v1/audit' } }), 'audit.uploadUrl', /absolute URL/],
  ['a password in the upload URL', () => json({ audit: { uploadUrl: 'https://u:p@audit.example.org/' } }), 'audit.uploadUrl', /without user name/],
  ['an unknown profile', () => json({ profile: 'highway' }), 'profile', /expected one of "roadside"\|"window"\|"gate"/],
  ['a short region code', () => json({ region: '1101' }), 'region', /6-digit/],
  ['a missing trust file', () => json({ trustFile: 'no-such-trust.json' }), 'trustFile', /cannot read .*no-such-trust\.json \(ENOENT\)/],
  ['a trust file that is not JSON', () => json({ trustFile: file('trust me') }), 'trustFile', /not valid JSON/],
  ['a CA file that is not a certificate', () => json({ audit: { uploadCaFile: file('-----BEGIN NOTHING-----') } }), 'audit.uploadCaFile', /PEM certificate/],
  ['a file larger than 1 MiB', () => file(`{"device":{"id":"${'x'.repeat(1 << 20)}"}}`), '', /larger than 1 MiB/],
  ['a file that does not exist', () => join(dir, 'missing.json'), '', /cannot read: ENOENT/],
];

describe('roadscan config check: refused, naming the key', () => {
  for (const [what, make, key, says] of BAD) {
    it(what, async () => {
      const f = make();
      const problems = await checkConfigFile(f);
      expect(problems.length).toBeGreaterThan(0);
      for (const line of problems) {
        expect(line.startsWith(relative(process.cwd(), f)), line).toBe(true);
        const problem = problemOf(line);
        if (key) expect(problem.startsWith(`${key}: `), line).toBe(true);
        expect(problem).toMatch(says);
      }
    });
  }

  it('lists every problem, one line each, several unknown keys included', async () => {
    const problems = await checkConfigFile(json({ a: 1, b: 2, audit: { retentionDays: 0, x: 1 }, health: { port: -1 } }));
    expect(problems.map((p) => problemOf(p).split(':')[0]).sort()).toEqual(['a', 'audit.retentionDays', 'audit.x', 'b', 'health.port'].sort());
  });

  it('never prints control characters from the file', async () => {
    const problems = await checkConfigFile(json({ 'evil\u001b[2J\u0007key': 1 }));
    expect(problems).toHaveLength(1);
    expect(problems[0]).not.toMatch(/[\u0000-\u001f\u007f]/);
    expect(problems[0]).toMatch(/evil.\[2J.key: unknown key/);
  });
});

describe('roadscan config check: accepted', () => {
  it('the shipped default configuration', async () => {
    expect(await checkConfigFile(undefined)).toEqual([]);
  });

  it('an empty object: every key has a default', async () => {
    expect(await checkConfigFile(json({}))).toEqual([]);
  });

  it('http to loopback, https anywhere, a real CA file', async () => {
    const ca = makeCa(dir, 'test-ca').certFile;
    for (const uploadUrl of ['http://127.0.0.1:8443/v1', 'http://localhost/v1', 'http://[::1]:9/', 'https://audit.example.org/v1/records']) {
      expect(await checkConfigFile(json({ audit: { uploadUrl, uploadCaFile: ca } }))).toEqual([]);
    }
  });

  it('config/default.json holds every key with its default value', () => {
    const shipped = JSON.parse(readFileSync(DEFAULT_CONFIG_FILE, 'utf8'));
    const defaults = parseConfig({});
    const { $schema: _ignored, ...rest } = shipped as Record<string, unknown>;
    expect(rest).toEqual(JSON.parse(JSON.stringify(defaults)));
  });
});

describe('roadscan config check: the command line', () => {
  it('prints ok and exits 0 for a good file', async () => {
    const res = await runCli(['config', 'check', json({ audit: { retentionDays: 30 } })]);
    expect({ code: res.code, stdout: res.stdout, stderr: res.stderr }).toEqual({ code: 0, stdout: 'ok\n', stderr: '' });
  });

  it('prints one line per problem on standard error and exits 2', async () => {
    const f = json({ audit: { uploadUrl: 'http://example.org/' }, clock: { toleranceSec: 'soon' }, zzz: true });
    const res = await runCli(['config', 'check', f]);
    expect(res.code).toBe(2);
    expect(res.stdout).toBe('');
    const lines = res.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines.map((l) => l.split(': ')[1])).toEqual(['audit.uploadUrl', 'clock.toleranceSec', 'zzz']);
  });
});

describe('config/schema.json', () => {
  it('is the JSON Schema generated from the zod schema (regenerate: npm run build && node dist/scripts/build/config-schema.js)', () => {
    expect(readFileSync(CONFIG_SCHEMA_FILE, 'utf8')).toBe(configSchemaText());
    expect(CONFIG_SCHEMA_FILE.startsWith(PACKAGE_ROOT)).toBe(true);
  });
});
