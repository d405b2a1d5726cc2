/**
 * `roadscan provision` on an installed device changes the anchor, the URL and the list together
 * or not at all (issue 21): an anchor older than or unrelated to the trust list in force is
 * refused in one line, exit 2, every file of the device byte-identical, unless `--replace-trust`,
 * which says what it replaces and leaves the new trust in force (not overruled by the list sync
 * accepted before). `--check-anchor` changes nothing. Files holding keys are written 0600.
 * Real processes, real HTTP on 127.0.0.1, real SQLite.
 * @module
 */
import { createHash } from 'node:crypto';
import { lstatSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../sim/station/local-cluster.js';
import { runCli } from '../helpers/cli.js';
import { StatusWorld, randomKeyHex } from '../firmware-ts/status/status-fixture.js';

/** Every file and folder under `root`, with its mode and content, as one hash. */
function treeHash(root: string): string {
  const h = createHash('sha256');
  const walk = (d: string) => {
    for (const name of readdirSync(d).sort()) {
      const f = join(d, name);
      const st = lstatSync(f);
      h.update(`${f}\0${st.mode}\0`);
      if (st.isDirectory()) walk(f);
      else if (st.isFile()) h.update(readFileSync(f));
    }
  };
  walk(root);
  return h.digest('hex');
}

describe('roadscan provision on an installed device: all or nothing', () => {
  let a: StatusWorld;
  let b: StatusWorld;
  let device: string;
  let config: string;
  const anchors: Record<string, string> = {};

  beforeAll(async () => {
    a = await StatusWorld.create();
    a.db.close();
    b = await StatusWorld.create();
    b.db.close();
    a.publish({ [randomKeyHex()]: 1 });
    b.publish({ [randomKeyHex()]: 1 });
    b.publish({ [randomKeyHex()]: 1 });
    device = join(a.root, 'device');
    mkdirSync(device);
    config = join(device, 'config.json');
    writeFileSync(config, `${JSON.stringify({ db: 'roadscan.db', health: { port: await freePort() }, screen: { enabled: false }, log: { level: 'warn' } }, null, 2)}\n`);
    const write = (name: string, json: unknown) => {
      anchors[name] = join(a.root, `${name}.json`);
      writeFileSync(anchors[name], JSON.stringify(json));
    };
    write('a-v1', a.authority.trustList(1, { root: a.rootKeys }));
    write('a-v2', a.authority.trustList(2, { root: a.rootKeys }));
    write('b-v5', b.authority.trustList(5, { root: b.rootKeys }));
  }, 60_000);
  afterAll(async () => {
    await a?.close();
    await b?.close();
  });

  const provision = (anchor: string, url: string, ...more: string[]) =>
    runCli(['provision', '--config', config, '--trust', anchors[anchor]!, '--status-url', url, '--wait', '0', ...more]);
  const status = async () => JSON.parse((await runCli(['status', '--json', '--config', config])).stdout) as { seq: number; trustVersion: number };

  it('--check-anchor checks the anchor and one full sync into a scratch database, and changes nothing', async () => {
    const before = treeHash(device);
    const r = await runCli(['provision', '--check-anchor', anchors['a-v2']!, '--status-url', a.server.url]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^provision: trust anchor ok: version 2, 3 issuer keys, root 2 of 3\nprovision: status list ok with this anchor: seq 1, 1 entries/);
    expect(treeHash(device)).toBe(before);
  });

  it('a first provisioning: anchor and configuration installed 0600, the file it wrote named', async () => {
    const r = await provision('a-v2', a.server.url);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`installed ${join(device, 'trust.json')}; ${config}: trustFile and statusList.url ${a.server.url}`);
    expect(statSync(join(device, 'trust.json')).mode & 0o777).toBe(0o600);
    expect(statSync(config).mode & 0o777).toBe(0o600);
    expect(await status()).toMatchObject({ seq: 1, trustVersion: 2 });
  });

  it.each([
    [
      'an older anchor of the same authority',
      'a-v1',
      () => a.server.url,
      /^roadscan: trust anchor .*a-v1\.json: older than the trust list in force \(version 1 < 2\); nothing was changed \(give --replace-trust to replace it\)\n$/,
    ],
    [
      'an unrelated anchor (another root)',
      'b-v5',
      () => b.server.url,
      /^roadscan: trust anchor .*b-v5\.json: unrelated to the trust list in force \(version 2\): no root key in common; nothing was changed/,
    ],
    [
      'a URL whose manifest the anchor cannot verify',
      'a-v2',
      () => b.server.url,
      /^roadscan: the status list at the URL was refused with this anchor: manifest: signed by key [0-9a-f]{16}.*; nothing was changed\n$/,
    ],
  ])('%s: refused in one line, exit 2, every file of the device byte-identical', async (_what, anchor, url, why) => {
    const before = treeHash(device);
    const r = await provision(anchor, url());
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(why);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(treeHash(device)).toBe(before);
    expect(await status()).toMatchObject({ seq: 1, trustVersion: 2 });
  });

  it('--replace-trust says what it replaces; the new anchor, its URL and its list are then in force together', async () => {
    const r = await provision('b-v5', b.server.url, '--replace-trust');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^provision: replacing the trust list in force, version 2 \(unrelated to the trust list in force\), by this anchor \(--replace-trust\)$/m);
    expect(r.stdout).toMatch(/^provision: first sync: status list seq 2, applied snapshot/m);
    expect(await status()).toMatchObject({ seq: 2, trustVersion: 5 });
    const sync = await runCli(['sync', '--config', config, '--json']);
    expect(sync.code, sync.stderr).toBe(0);
  });
});
