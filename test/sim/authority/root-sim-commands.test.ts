/**
 * The test authority's signed documents from the command line, as an operator of a test bench
 * would run them: `roadscan sim init` (root keys in their own files), `publish-status
 * --trust-version --rules`, a forged publication, `rotate-root` and the rotation it publishes,
 * each fetched by a real `roadscan sync` from a status server on 127.0.0.1.
 * @module
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packagedConfigFile } from '../../../firmware-ts/paths.js';
import { StatusServer } from '../../../sim/status/status-server.js';
import { runCli } from '../../helpers/cli.js';

let dir: string;
let server: StatusServer;
const auth = () => join(dir, 'authority');
const www = () => join(dir, 'www');

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'roadscan-root-sim-'));
  server = await StatusServer.start(www());
});
afterAll(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

const common = () => ['--db', join(dir, 's.db'), '--trust', join(auth(), 'trust.json')];
const sync = async () => JSON.parse((await runCli(['sync', '--url', server.url, '--json', ...common()])).stdout);
const publish = (...args: string[]) => runCli(['sim', 'publish-status', '--dir', auth(), '--out', www(), '--json', ...args]);

describe('roadscan sim: root keys, signed trust lists and rules data', () => {
  it('init keeps each root key in its own file, apart from the SL key, and names the root in trust.json', async () => {
    expect((await runCli(['sim', 'init', auth()])).code).toBe(0);
    const files = readdirSync(join(auth(), 'root')).sort();
    expect(files).toEqual(['root-1-key-1.json', 'root-1-key-2.json', 'root-1-key-3.json', 'root-1.json']);
    expect(statSync(join(auth(), 'root', 'root-1-key-1.json')).mode & 0o077).toBe(0);
    const authority = readFileSync(join(auth(), 'authority.json'), 'utf8');
    for (const f of files.filter((x) => x.includes('key'))) {
      expect(authority).not.toContain(JSON.parse(readFileSync(join(auth(), 'root', f), 'utf8')).seed);
    }
    const trust = JSON.parse(readFileSync(join(auth(), 'trust.json'), 'utf8'));
    expect(trust).toMatchObject({ version: 2, root: { threshold: 2 } });
    expect(trust.root.keys).toHaveLength(3);
  });

  it('publishes a signed trust list and calendar; a forged one is refused; a rotation is accepted', async () => {
    const cal = join(dir, 'calendar.json');
    const shipped = JSON.parse(readFileSync(packagedConfigFile('calendar-cn.json'), 'utf8'));
    writeFileSync(cal, JSON.stringify({ ...shipped, version: 2, years: [...shipped.years, 2027] }));
    expect((await publish('--trust-version', '3', '--rules', `calendar-cn=${cal}`)).code).toBe(0);
    expect(await sync()).toMatchObject({ ok: true, trustVersion: 3, rules: { 'calendar-cn': 2 } });

    expect((await publish('--trust-version', '4', '--forge-trust', 'sl-signed')).code).toBe(0);
    const forged = await sync();
    expect(forged.ok).toBe(false);
    expect(forged.error).toMatch(/not authorised by the root in force/);

    expect((await runCli(['sim', 'rotate-root', '--dir', auth(), '--root-keys', '5', '--threshold', '3'])).stdout).toMatch(/root generation 2: 3 of 5 keys/);
    expect((await publish('--trust-version', '4')).code).toBe(0);
    expect(await sync()).toMatchObject({ ok: true, trustVersion: 4 });
    const st = JSON.parse((await runCli(['status', '--json', ...common()])).stdout);
    expect(st).toMatchObject({ trustVersion: 4, rules: { 'calendar-cn': 2, adoption: 1 } });
    // The rotation re-signed the calendar with the new root: a device installed later takes both.
    const fresh = JSON.parse((await runCli(['sync', '--url', server.url, '--json', '--db', join(dir, 'fresh.db'), '--trust', join(auth(), 'trust.json')])).stdout);
    expect(fresh).toMatchObject({ ok: true, trustVersion: 4, rules: { 'calendar-cn': 2 } });
  });

  it('refuses a usage error in one line', async () => {
    const r = await publish('--rules', 'weather=x.json');
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });
});
