/**
 * A fresh install that ends scanning (docs/DESIGN.md, "Provisioning"): scripts/deploy/install-pi.sh run
 * for real into a scratch root (`--root`), provisioned from a status publication that Debian's
 * nginx serves on 127.0.0.1, then the installed unit's own ExecStart line started from the
 * installed files until `roadscan provision --check` (the installer's last step) says /healthz
 * has the scanner open, and a code scanned through a real pseudo-terminal. And the refusals:
 * without an anchor, or with one that cannot serve, nothing is installed and nothing claims done.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPtyPair, type PtyPair } from '../../hal/scanner/pty-pair.js';
import { PACKAGE_ROOT } from '../../firmware-ts/paths.js';
import { createDemoWorld, type DemoWorld } from '../../sim/scenarios/demo.js';
import { setTimeout as sleep } from 'node:timers/promises';
import { writeTo } from '../hal/helpers/events.js';
import { Nginx } from '../helpers/nginx.js';
import { freePort } from '../../sim/station/local-cluster.js';

const SCRIPT = join(PACKAGE_ROOT, 'scripts', 'deploy', 'install-pi.sh');

function run(cmd: string, args: string[], cwd?: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const c = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], ...(cwd ? { cwd } : {}) });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => c.kill('SIGKILL'), 90_000);
    c.stdout.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
    c.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
    c.on('error', reject);
    c.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

const exited = (c: ChildProcess) => new Promise<number | null>((resolve) => (c.exitCode !== null ? resolve(c.exitCode) : c.once('exit', (code) => resolve(code))));

let dir: string;
let world: DemoWorld;
let nginx: Nginx;
let healthPort: number;
let baseConfig: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'roadscan-install-root-'));
  world = createDemoWorld(join(dir, 'authority'), Math.floor(Date.now() / 1000));
  nginx = await Nginx.start(world.publishedDir);
  healthPort = await freePort();
  // A fleet's own starting configuration (--config-from): its health port, no screen on this machine.
  baseConfig = join(dir, 'fleet.json');
  writeFileSync(baseConfig, JSON.stringify({ device: { id: 'gate-test' }, health: { port: healthPort }, screen: { enabled: false }, log: { level: 'info' } }));
});

afterAll(async () => {
  await nginx?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('scripts/deploy/install-pi.sh --root: a fresh install in a scratch root', () => {
  it('installs the anchor and the URL, syncs once, says what it skipped, and its unit scans with /healthz ok', async () => {
    const root = join(dir, 'root-ok');
    mkdirSync(root);
    const res = await run('bash', [SCRIPT, '--root', root, '--trust', world.trustFile, '--status-url', nginx.url, '--config-from', baseConfig]);
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    const out = res.stdout;
    // Under a test root each skipped step is said, never done silently.
    expect(out).toContain(`install-pi: test root ${root}: apt-get update and apt-get install skipped`);
    expect(out).toContain('systemctl is not usable under a test root: roadscan.service not enabled or started');
    expect(out).toContain('udevadm skipped');
    expect(out).toMatch(/^provision: trust anchor ok: version \d+, \d+ issuer keys, root 2 of 3$/m);
    expect(out).toMatch(/^provision: first sync: status list seq 1, applied snapshot, 1 entries$/m);
    // Installed, not started: it does not claim to be done.
    expect(out).toContain('NOT started');
    expect(out).not.toMatch(/done: scanning/);

    const etc = join(root, 'etc', 'roadscan');
    expect(readFileSync(join(etc, 'trust.json'))).toEqual(readFileSync(world.trustFile));
    const config = JSON.parse(readFileSync(join(etc, 'config.json'), 'utf8'));
    expect(config).toMatchObject({
      trustFile: 'trust.json',
      statusList: { url: nginx.url },
      db: join(root, 'var', 'lib', 'roadscan', 'roadscan.db'),
      device: { id: 'gate-test' },
    });
    expect(readdirSync(etc).filter((f) => f.endsWith('.new'))).toEqual([]);

    // The installed unit, as systemd would start it: its ExecStart and WorkingDirectory.
    const unit = readFileSync(join(root, 'etc', 'systemd', 'system', 'roadscan.service'), 'utf8');
    const execStart = /^ExecStart=(.*)$/m.exec(unit)![1]!.split(' ');
    const workDir = /^WorkingDirectory=(.*)$/m.exec(unit)![1]!;
    expect(execStart).toEqual(['/usr/bin/node', join(root, 'opt', 'roadscan', 'bin', 'roadscan.js'), 'run', '--hal', 'pi', '--config', join(etc, 'config.json')]);
    expect(workDir).toBe(join(root, 'opt', 'roadscan'));
    // This machine has no GPIO lines: the same command with the simulated LEDs and a real
    // pseudo-terminal as the serial scanner.
    const pair: PtyPair = await startPtyPair(join(dir, 'scanner'), join(dir, 'feeder'));
    const args = execStart.slice(1).map((a) => (a === 'pi' ? 'sim' : a));
    const service = spawn(existsSync(execStart[0]!) ? execStart[0]! : process.execPath, [...args, '--scanner', join(dir, 'scanner')], {
      cwd: workDir,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let log = '';
    service.stderr!.on('data', (d: Buffer) => (log += d.toString('utf8')));
    try {
      const check = await run(execStart[0]!, [
        join(root, 'opt', 'roadscan', 'bin', 'roadscan.js'),
        'provision',
        '--check',
        '--config',
        join(etc, 'config.json'),
        '--wait',
        '30',
      ]);
      expect(check.stderr, log).toBe('');
      expect(check.code).toBe(0);
      expect(check.stdout).toMatch(
        new RegExp(`^provision: the service scans: http://127\\.0\\.0\\.1:${healthPort}/healthz status ok, scanner open, status list seq 1\\n$`),
      );
      // And it does scan: the revoked licence of the synced list is refused.
      writeTo(join(dir, 'feeder'), `${world.revoked.text}\r\n`);
      let last: { verdict: string } | null = null;
      for (let i = 0; i < 200 && last === null; i++) {
        await sleep(100);
        last = ((await (await fetch(`http://127.0.0.1:${healthPort}/healthz`)).json()) as { lastScan: { verdict: string } | null }).lastScan;
      }
      expect(last?.verdict, log).toBe('reject');
      service.kill('SIGTERM');
      expect(await exited(service)).toBe(0);
    } finally {
      if (service.exitCode === null) service.kill('SIGKILL');
      await pair.stop();
    }
  });

  it('without an anchor: one line saying what is missing, exit 2, nothing installed', async () => {
    const root = join(dir, 'root-none');
    mkdirSync(root);
    const res = await run('bash', [SCRIPT, '--root', root, '--status-url', nginx.url]);
    expect(res.code).toBe(2);
    expect(res.stderr).toBe("install-pi: no trust anchor: give --trust FILE (the authority's trust list, JSON); nothing installed\n");
    expect(res.stdout).toBe('');
    expect(readdirSync(root)).toEqual([]);
    const noUrl = await run('bash', [SCRIPT, '--root', root, '--trust', world.trustFile]);
    expect(noUrl.code).toBe(2);
    expect(noUrl.stderr).toMatch(/^install-pi: no status list URL: give --status-url URL .*; nothing installed\n$/);
  });

  describe('provisioning is a transaction: every refusal before anything is copied or written', () => {
    let stranger: DemoWorld;
    let strangerNginx: Nginx;
    let always304: Server;
    let closedPort: number;
    beforeAll(async () => {
      stranger = createDemoWorld(join(dir, 'stranger'), Math.floor(Date.now() / 1000));
      strangerNginx = await Nginx.start(stranger.publishedDir);
      always304 = createServer((_req, res) => {
        res.writeHead(304, { etag: '"anything"' });
        res.end();
      });
      await new Promise<void>((r) => always304.listen(0, '127.0.0.1', r));
      closedPort = await freePort();
    });
    afterAll(async () => {
      await strangerNginx?.stop();
      await new Promise((r) => always304?.close(r));
    });

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

    const notAList = () => {
      const f = join(dir, 'not-a-trust-list.json');
      writeFileSync(f, JSON.stringify({ version: 1, issuers: [] }));
      return f;
    };
    const expiredAnchor = () => {
      const f = join(dir, 'expired-anchor.json');
      const list = JSON.parse(readFileSync(world.trustFile, 'utf8')) as Record<string, unknown>;
      writeFileSync(f, JSON.stringify({ ...list, expires: '2026-01-01T00:00:00Z' }));
      return f;
    };
    const cases: [string, () => { trust: string; url: string }, RegExp][] = [
      ['not a trust list', () => ({ trust: notAList(), url: nginx.url }), /^roadscan: trust anchor .*not-a-trust-list\.json: trust list: /],
      ['an anchor past its expires', () => ({ trust: expiredAnchor(), url: nginx.url }), /^roadscan: trust anchor .*: version \d+ expired at 2026-01-01T00:00:00Z/],
      [
        'a URL that does not answer',
        () => ({ trust: world.trustFile, url: `http://127.0.0.1:${closedPort}/` }),
        /refused with this anchor: manifest\.cose: connection refused/,
      ],
      [
        'a manifest signed by a key the anchor does not hold',
        () => ({ trust: world.trustFile, url: strangerNginx.url }),
        /refused with this anchor: manifest: signed by key [0-9a-f]{16}/,
      ],
      [
        'a server that answers 304 (an impostor)',
        () => ({ trust: world.trustFile, url: `http://127.0.0.1:${(always304.address() as AddressInfo).port}/` }),
        /refused with this anchor: manifest\.cose: HTTP 304/,
      ],
      [
        'credentials in the URL',
        () => ({ trust: world.trustFile, url: nginx.url.replace('http://', 'http://fleet:s3cret@') }),
        /--status-url: a URL carrying a user name or password is refused/,
      ],
    ];
    it.each(cases)('%s: exit 2, one line, every file under the root byte-identical', async (_what, make, why) => {
      const { trust, url } = make();
      const root = mkdtempSync(join(dir, 'root-refused-'));
      // A machine with something on it already: the refusal must leave all of it as it was.
      mkdirSync(join(root, 'etc', 'roadscan'), { recursive: true });
      writeFileSync(join(root, 'etc', 'hostname'), 'gate-7\n');
      writeFileSync(join(root, 'etc', 'roadscan', 'config.json'), '{"device":{"id":"gate-7"}}\n');
      const before = treeHash(root);
      const res = await run('bash', [SCRIPT, '--root', root, '--trust', trust, '--status-url', url, '--config-from', baseConfig]);
      expect(res.code).toBe(2);
      const lines = res.stderr.trim().split('\n');
      expect(lines, res.stderr).toHaveLength(1);
      expect(lines[0]).toMatch(why);
      expect(res.stderr + res.stdout).not.toContain('s3cret');
      expect(res.stdout).not.toMatch(/package in|NOT started|done/);
      expect(treeHash(root)).toBe(before);
    });
  });
});
