/**
 * `roadscan provision` as a technician runs it on a device (docs/DESIGN.md, "Provisioning"): the
 * built CLI in child processes, a real status publication on 127.0.0.1, the real service
 * (`roadscan run` on a pseudo-terminal) answering /healthz. Done only once a service that started
 * with the new anchor scans; every refusal one line, and a refused anchor changes nothing.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPtyPair, type PtyPair } from '../../hal/scanner/pty-pair.js';
import { saveAuthority } from '../../sim/authority/authority-store.js';
import { generateRoot } from '../../sim/authority/root-keys.js';
import { TestAuthority } from '../../sim/authority/test-authority.js';
import { createDemoWorld, type DemoWorld } from '../../sim/scenarios/demo.js';
import { publishNext } from '../../sim/status/status-publisher.js';
import { StatusServer } from '../../sim/status/status-server.js';
import { BIN, runCli } from '../helpers/cli.js';
import { freePort } from '../../sim/station/local-cluster.js';

const exited = (c: ChildProcess) => new Promise<number | null>((resolve) => (c.exitCode !== null ? resolve(c.exitCode) : c.once('exit', (code) => resolve(code))));

let dir: string;
let world: DemoWorld;
let server: StatusServer;
let healthPort: number;
let pair: PtyPair;
const services: ChildProcess[] = [];

/** A device's configuration before provisioning: no anchor, no URL. */
function freshConfig(name: string): string {
  const file = join(dir, `${name}.json`);
  writeFileSync(file, `${JSON.stringify({ db: `${name}.db`, health: { port: healthPort }, screen: { enabled: false }, log: { level: 'warn' } }, null, 2)}\n`);
  return file;
}

/** The service as the unit runs it, on the test's pseudo-terminal. */
function startService(config: string): ChildProcess {
  const c = spawn(process.execPath, [BIN, 'run', '--hal', 'sim', '--scanner', join(dir, 'scanner'), '--config', config], { stdio: ['ignore', 'ignore', 'ignore'] });
  services.push(c);
  return c;
}

async function stopService(c: ChildProcess): Promise<void> {
  c.kill('SIGTERM');
  expect(await exited(c)).toBe(0);
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'roadscan-provision-'));
  world = createDemoWorld(join(dir, 'authority'), Math.floor(Date.now() / 1000));
  server = await StatusServer.start(world.publishedDir);
  healthPort = await freePort();
  pair = await startPtyPair(join(dir, 'scanner'), join(dir, 'feeder'));
});

afterAll(async () => {
  for (const c of services) if (c.exitCode === null) c.kill('SIGKILL');
  await pair?.stop();
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('roadscan provision', () => {
  it('refuses without an anchor, without a URL, or with an anchor that cannot serve: one line, exit 2, nothing changed', async () => {
    const config = freshConfig('refused');
    const before = readFileSync(config, 'utf8');
    const none = await runCli(['provision', '--config', config, '--status-url', server.url]);
    expect(none).toMatchObject({ code: 2, stdout: '' });
    expect(none.stderr).toBe("roadscan: no trust anchor: give --trust FILE (the authority's trust list, docs/CREDENTIALS.md section 5); nothing was changed\n");
    const noUrl = await runCli(['provision', '--config', config, '--trust', world.trustFile]);
    expect(noUrl.code).toBe(2);
    expect(noUrl.stderr).toMatch(/^roadscan: no status list URL: give --status-url URL .*; nothing was changed\n$/);
    const badFile = join(dir, 'bad-anchor.json');
    writeFileSync(badFile, JSON.stringify({ version: 0, issuers: [] }));
    const bad = await runCli(['provision', '--config', config, '--trust', badFile, '--status-url', server.url]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^roadscan: trust anchor .*bad-anchor\.json: .+\n$/);
    const notJson = join(dir, 'garbage.json');
    writeFileSync(notJson, '\u001b[31mnot json');
    const garbage = await runCli(['provision', '--config', config, '--trust', notJson, '--status-url', server.url]);
    expect(garbage.code).toBe(2);
    expect(garbage.stderr).toMatch(/^roadscan: trust anchor .*garbage\.json: not valid JSON/);
    expect(garbage.stderr).not.toContain('\u001b');
    expect((await runCli(['provision', '--config', config, '--trust', world.trustFile, '--status-url', 'ftp://x/'])).code).toBe(2);
    expect((await runCli(['provision', '--config', config, '--trust', world.trustFile, '--status-url', server.url, '--wait', 'soon'])).code).toBe(2);
    expect(readFileSync(config, 'utf8')).toBe(before);
    expect(existsSync(join(dir, 'trust.json'))).toBe(false);
  });

  it('a URL that does not answer: checked before anything is written, exit 2, nothing changed', async () => {
    const config = freshConfig('offline');
    const before = readFileSync(config);
    const closed = `http://127.0.0.1:${await freePort()}/`;
    const r = await runCli(['provision', '--config', config, '--trust', world.trustFile, '--status-url', closed, '--wait', '0']);
    expect(r.code).toBe(2);
    expect(r.stdout).toMatch(/^provision: trust anchor ok: /);
    expect(r.stdout).not.toMatch(/done|first sync|installed/);
    expect(r.stderr).toMatch(
      /^roadscan: the status list at the URL was refused with this anchor: manifest.cose: connection refused \(127\.0\.0\.1:\d+\); nothing was changed\n$/,
    );
    expect(readFileSync(config)).toEqual(before);
  });

  it('no service answering: --check waits as long as told, then says why, exit 1', async () => {
    const config = freshConfig('silent');
    const t0 = Date.now();
    const r = await runCli(['provision', '--check', '--config', config, '--wait', '1']);
    expect(Date.now() - t0).toBeLessThan(15_000);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`roadscan: provision: not done: not scanning after 1 s: http://127.0.0.1:${healthPort}/healthz did not answer (ECONNREFUSED)\n`);
  });

  it('on a device: installs, syncs, and is done only once a service started since then scans', async () => {
    const config = freshConfig('device');
    const first = await runCli(['provision', '--config', config, '--trust', world.trustFile, '--status-url', server.url, '--wait', '0']);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/^provision: first sync: status list seq 1, applied snapshot, 1 entries$/m);
    expect(first.stdout).toMatch(/anchor and status list installed; the service was not checked \(--wait 0\)\n$/);
    expect(first.stdout).toMatch(/^provision: device key: Ed25519 [0-9a-f]{16} made \(.*device-key\.pub\.pem\)$/m);
    expect(readFileSync(join(dir, 'trust.json'))).toEqual(readFileSync(world.trustFile));

    const old = startService(config);
    const check = await runCli(['provision', '--check', '--config', config, '--wait', '30']);
    expect(check.code).toBe(0);
    expect(check.stdout).toMatch(
      new RegExp(`^provision: the service scans: http://127\\.0\\.0\\.1:${healthPort}/healthz status ok, scanner open, status list seq 1\\n$`),
    );

    // A new anchor under a service that was already running: it keeps the list it started with.
    await new Promise((r) => setTimeout(r, 2500));
    const stale = await runCli(['provision', '--config', config, '--trust', world.trustFile, '--status-url', server.url, '--wait', '2']);
    expect(stale.code).toBe(1);
    expect(stale.stdout).toMatch(/^provision: first sync: status list seq 1, already current, 1 entries$/m);
    expect(stale.stderr).toMatch(/not done: not scanning after 2 s: the service answering started before the anchor was installed .*restart it/);

    // Restarted while provisioning waits (its first sync may meet the provisioning's: the lock is waited out).
    await stopService(old);
    const waiting = spawn(process.execPath, [BIN, 'provision', '--config', config, '--trust', world.trustFile, '--status-url', server.url, '--wait', '30'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const collected = { stdout: '', stderr: '' };
    const closed = new Promise<number | null>((resolve) => waiting.on('close', (c) => resolve(c)));
    waiting.stderr!.on('data', (d: Buffer) => (collected.stderr += d.toString('utf8')));
    // The restart comes once the anchor is in (a loaded machine may take seconds to get there).
    const installed = new Promise<void>((resolve) =>
      waiting.stdout!.on('data', (d: Buffer) => {
        collected.stdout += d.toString('utf8');
        if (/^provision: installed /m.test(collected.stdout)) resolve();
      }),
    );
    await Promise.race([installed, closed]);
    const restarted = startService(config);
    const code = await closed;
    const done = { code, ...collected };
    expect(done.stderr).toBe('');
    expect(done.code).toBe(0);
    expect(done.stdout).toMatch(/^provision: waiting up to \d+ s for a service started after the anchor went in /m);
    expect(done.stdout).toMatch(/^provision: the service scans: .* scanner open, status list seq 1$/m);
    expect(done.stdout).toMatch(/provision: done\n$/);
    await stopService(restarted);
  });

  it("the device key follows the authority's trust list: SM2 when its root keys are SM2; an Ed25519 device keeps its key when the list turns SM2, and says so", async () => {
    const sm2Dir = join(dir, 'sm2-authority');
    const authority = TestAuthority.create('SM2');
    const { trustFile } = saveAuthority(sm2Dir, authority, generateRoot(3, 2, 'SM2'));
    publishNext({ dir: join(sm2Dir, 'published'), key: authority.keys.sl, iat: Math.floor(Date.now() / 1000) - 300, changes: new Map() });
    const sm2Server = await StatusServer.start(join(sm2Dir, 'published'));
    try {
      /** A device of its own folder (the key lives beside the database). */
      const device = (name: string) => {
        mkdirSync(join(dir, name));
        const file = join(dir, name, 'config.json');
        writeFileSync(file, `${JSON.stringify({ db: 'unit.db', health: { port: healthPort }, screen: { enabled: false }, log: { level: 'warn' } }, null, 2)}\n`);
        return file;
      };
      const status = async (config: string) => JSON.parse((await runCli(['status', '--json', '--config', config])).stdout).deviceKey;

      const sm2Device = device('sm2-device');
      const made = await runCli(['provision', '--config', sm2Device, '--trust', trustFile, '--status-url', sm2Server.url, '--wait', '0']);
      expect(made.stderr).toBe('');
      expect(made.stdout).toMatch(/^provision: device key: SM2 [0-9a-f]{16} made \(.*device-key\.pub\.pem\)$/m);
      expect(await status(sm2Device)).toMatchObject({ alg: 'SM2', publicKey: expect.stringMatching(/^MFkwEwYHKoZIzj0CAQYIKoEcz1UBgi0DQgAE/) });

      const edDevice = device('ed-device');
      const ed = await runCli(['provision', '--config', edDevice, '--trust', world.trustFile, '--status-url', server.url, '--wait', '0']);
      expect(ed.stdout).toMatch(/^provision: device key: Ed25519 [0-9a-f]{16} made /m);
      const before = await status(edDevice);
      const turned = await runCli(['provision', '--config', edDevice, '--trust', trustFile, '--status-url', sm2Server.url, '--wait', '0', '--replace-trust']);
      expect(turned.stderr).toBe('');
      expect(turned.stdout).toMatch(
        /^provision: device key: Ed25519 [0-9a-f]{16} kept \(.*\); the trust list's keys are SM2, but a device keeps the key it was given \(a new one only with a new database\)$/m,
      );
      expect(await status(edDevice)).toEqual(before);
    } finally {
      await sm2Server.close();
    }
  });
});
