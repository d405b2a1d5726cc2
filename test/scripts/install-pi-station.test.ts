/**
 * The shipped station cluster is closed (issue 20), shown on real nats-server processes started
 * from exactly the files `install-pi.sh --station-cluster --root` wrote: three members on
 * 127.0.0.2-4 with the station's keys from scripts/deploy/station-keys.sh. A gate with the config.json the
 * installer wrote (its own certificate) claims; a client without a certificate, and one with
 * another station's, cannot connect, so cannot put, delete or update the stream; a gate of the
 * station cannot update or delete the stream either. Re-running the installer with other members
 * updates station.shared.servers and says so.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PACKAGE_ROOT } from '../../firmware-ts/paths.js';
import { openDatabase, type Db } from '../../firmware-ts/store/database.js';
import { openStationStore, type StationStore } from '../../firmware-ts/station/station-store.js';
import { createDemoWorld, type DemoWorld } from '../../sim/scenarios/demo.js';
import { freePorts } from '../../sim/station/local-cluster.js';
import { Nginx } from '../helpers/nginx.js';
import { boardedBy as rec, onceKey as key } from '../helpers/lone-nats.js';

const SCRIPT = join(PACKAGE_ROOT, 'scripts', 'deploy', 'install-pi.sh');
const KEYS = join(PACKAGE_ROOT, 'scripts', 'deploy', 'station-keys.sh');
const IPS = ['127.0.0.2', '127.0.0.3', '127.0.0.4'];

function run(cmd: string, args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const c = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => c.kill('SIGKILL'), 120_000);
    c.stdout.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
    c.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
    c.on('error', reject);
    c.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

let dir: string;
let world: DemoWorld;
let nginx: Nginx;
let keys: string;
let otherKeys: string;
let clientPort: number;
let routePort: number;
const monitorPorts: number[] = [];
const roots: string[] = [];
const servers: ChildProcess[] = [];
const logs: string[] = ['', '', ''];
const opened: { s: StationStore; db: Db }[] = [];

function install(i: number, peers: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return run('bash', [
    SCRIPT,
    '--root',
    roots[i]!,
    '--trust',
    world.trustFile,
    '--status-url',
    nginx.url,
    '--config-from',
    join(dir, 'fleet.json'),
    '--station-cluster',
    '--node-name',
    `n${i + 1}`,
    '--node-ip',
    IPS[i]!,
    '--peers',
    peers.join(','),
    '--station-name',
    's1',
    '--station-keys',
    keys,
    '--nats-ports',
    `${clientPort},${routePort},${monitorPorts[i]}`,
  ]);
}

async function formed(): Promise<void> {
  const end = Date.now() + 30_000;
  for (;;) {
    try {
      const ok = await Promise.all(
        monitorPorts.map(async (p) => {
          const routez = (await (await fetch(`http://127.0.0.1:${p}/routez`, { signal: AbortSignal.timeout(1000) })).json()) as { num_routes?: number };
          const jsz = (await (await fetch(`http://127.0.0.1:${p}/jsz`, { signal: AbortSignal.timeout(1000) })).json()) as { meta_cluster?: { leader?: string } };
          return (routez.num_routes ?? 0) >= 2 && Boolean(jsz.meta_cluster?.leader);
        }),
      );
      if (ok.every(Boolean)) return;
    } catch {
      // not up yet
    }
    if (Date.now() > end) throw new Error(`the installed cluster did not form:\n${logs.join('\n---\n').slice(-3000)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** The gate of member `i`, opened from the config.json the installer wrote there. */
function installedGate(i: number): StationStore {
  const cfg = JSON.parse(readFileSync(join(roots[i]!, 'etc', 'roadscan', 'config.json'), 'utf8')) as { station: { shared: Record<string, unknown> } };
  const shared = cfg.station.shared as { servers: string[]; tls: { caFile: string; certFile: string; keyFile: string } };
  const db = openDatabase(join(dir, `gate${i}-${opened.length}.db`));
  const s = openStationStore({
    db,
    deviceId: `n${i + 1}`,
    shared: {
      servers: shared.servers,
      bucket: 'roadscan-once',
      replicas: 3,
      deadlineMs: 2000,
      recordMaxAgeHours: 744,
      handoverPeriodMs: 200,
      handoverQueueMax: 1000,
      credsFile: null,
      tls: shared.tls,
    },
  });
  opened.push({ s, db });
  return s;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'roadscan-install-station-'));
  world = createDemoWorld(join(dir, 'authority'), Math.floor(Date.now() / 1000));
  nginx = await Nginx.start(world.publishedDir);
  writeFileSync(join(dir, 'fleet.json'), JSON.stringify({ device: { id: 'gate-test' }, profile: 'gate', screen: { enabled: false } }));
  keys = join(dir, 'keys');
  otherKeys = join(dir, 'other-keys');
  execFileSync('bash', [KEYS, '--out', keys, '--station', 's1', ...IPS.flatMap((ip, i) => ['--member', `n${i + 1}=${ip}`]), '--device', 'w1', '--days', '2']);
  // Another station, with a device of the same name: its certificate is not this station's.
  execFileSync('bash', [KEYS, '--out', otherKeys, '--station', 's2', '--member', 'n1=127.0.0.9', '--days', '2']);
  const ports = await freePorts(5);
  [clientPort, routePort] = [ports[0]!, ports[1]!];
  monitorPorts.push(...ports.slice(2));
  for (let i = 0; i < 3; i++) {
    const root = join(dir, `root${i + 1}`);
    mkdirSync(root);
    roots.push(root);
  }
  const results = await Promise.all(
    [0, 1, 2].map((i) =>
      install(
        i,
        IPS.filter((_, j) => j !== i),
      ),
    ),
  );
  for (const r of results) if (r.code !== 0) throw new Error(`install-pi failed (${r.code}):\n${r.stderr}\n${r.stdout.slice(-2000)}`);
  for (let i = 0; i < 3; i++) {
    mkdirSync(join(roots[i]!, 'var', 'lib', 'roadscan-nats', 'jetstream'), { recursive: true });
    const child = spawn('nats-server', ['--config', join(roots[i]!, 'etc', 'roadscan', 'nats-station.conf')], { stdio: ['ignore', 'ignore', 'pipe'] });
    child.stderr!.on('data', (d: Buffer) => (logs[i] = (logs[i] + d.toString('utf8')).slice(-6000)));
    servers.push(child);
  }
  await formed();
}, 240_000);

afterAll(async () => {
  for (const { s, db } of opened) {
    await s.store.close().catch(() => undefined);
    db.close();
  }
  await Promise.all(
    servers.map(
      (c) =>
        new Promise<void>((resolve) => {
          if (c.exitCode !== null || c.signalCode !== null) return resolve();
          c.once('exit', () => resolve());
          c.kill('SIGKILL');
        }),
    ),
  );
  await nginx?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const until = async (what: string, ok: () => boolean, ms = 20_000) => {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}:\n${logs.join('\n---\n').slice(-2000)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
};

describe('install-pi.sh --station-cluster: the station as installed is closed', () => {
  it('installs the private keys 0600 and no CA key, and points the gate at every member over TLS', () => {
    const station = join(roots[0]!, 'etc', 'roadscan', 'station');
    expect(statSync(join(station, 'member.key')).mode & 0o777).toBe(0o600);
    expect(statSync(join(station, 'device.key')).mode & 0o777).toBe(0o600);
    expect(() => statSync(join(station, 'ca.key'))).toThrow();
    const cfg = JSON.parse(readFileSync(join(roots[0]!, 'etc', 'roadscan', 'config.json'), 'utf8'));
    expect(cfg.station.shared.servers).toEqual(IPS.map((ip) => `${ip}:${clientPort}`));
    expect(cfg.station.shared.tls).toEqual({ caFile: `${station}/ca.pem`, certFile: `${station}/device.pem`, keyFile: `${station}/device.key` });
  });

  it('lets a gate with its own certificate claim, and no gate update or delete the stream', async () => {
    const g = installedGate(0);
    await until('the gate connected', () => g.station!.state().connected);
    expect(await g.store.claim(key(1), rec('n1', 1_800_000_001), 1_900_000_000)).toEqual({ result: 'claimed', offline: false });
    const other = installedGate(1);
    await until('the second gate connected', () => other.station!.state().connected);
    expect(await other.store.claim(key(1), rec('n2', 1_800_000_002), 1_900_000_000)).toMatchObject({ result: 'taken', by: { device: 'n1' }, offline: false });
    // The same certificate, used by hand: the stream's settings and the stream itself are out of reach.
    const tls = JSON.parse(readFileSync(join(roots[0]!, 'etc', 'roadscan', 'config.json'), 'utf8')).station.shared.tls;
    const nc = await connect({ servers: [`${IPS[0]}:${clientPort}`], tls: { ...tls, checkServerIdentity: () => undefined } as never });
    try {
      const jsm = await jetstreamManager(nc, { checkAPI: false, timeout: 3000 });
      const info = await jsm.streams.info('KV_roadscan-once');
      await expect(jsm.streams.update('KV_roadscan-once', { ...info.config, max_age: 2e9 })).rejects.toThrow();
      await expect(jsm.streams.delete('KV_roadscan-once')).rejects.toThrow();
      await expect(jsm.streams.purge('KV_roadscan-once')).rejects.toThrow();
      expect((await jsm.streams.info('KV_roadscan-once')).config.max_age).toBe(744 * 3600 * 1e9);
    } finally {
      await nc.close();
    }
  }, 60_000);

  it('refuses a client without a certificate and one with another station’s: no put, no delete, no update', async () => {
    const ca = join(keys, 'ca.pem');
    const attempts = [
      { what: 'plain, no TLS, no credentials', opts: {} },
      { what: 'TLS trusting the station, no certificate', opts: { tls: { caFile: ca, checkServerIdentity: () => undefined } } },
      {
        what: "another station's certificate",
        opts: {
          tls: { caFile: ca, certFile: join(otherKeys, 'devices', 'n1.pem'), keyFile: join(otherKeys, 'devices', 'n1.key'), checkServerIdentity: () => undefined },
        },
      },
    ];
    for (const a of attempts) {
      const err = await connect({ servers: [`${IPS[1]}:${clientPort}`], reconnect: false, timeout: 3000, ...(a.opts as object) }).then(
        async (nc) => {
          await nc.close();
          return null;
        },
        (e: Error) => e,
      );
      expect(err, a.what).toBeInstanceOf(Error);
    }
    // And the record the gate made is still there, as it was.
    const g = installedGate(2);
    await until('the third gate connected', () => g.station!.state().connected);
    expect((await g.store.lookup(key(1), 'boarded')).record?.device).toBe('n1');
  }, 60_000);

  it('updates station.shared.servers when re-run with other members, and says so', async () => {
    const res = await install(0, [IPS[1]!, '127.0.0.5']);
    expect(res.code).toBe(0);
    const was = IPS.map((ip) => `${ip}:${clientPort}`).join(',');
    const now = [IPS[0], IPS[1], '127.0.0.5'].map((ip) => `${ip}:${clientPort}`).join(',');
    expect(res.stdout).toContain(`install-pi: station.shared.servers = ${now} (updated; was ${was})`);
    const cfg = JSON.parse(readFileSync(join(roots[0]!, 'etc', 'roadscan', 'config.json'), 'utf8'));
    expect(cfg.station.shared.servers.join(',')).toBe(now);
    expect(readFileSync(join(roots[0]!, 'etc', 'roadscan', 'nats-station.conf'), 'utf8')).toContain(`"nats-route://127.0.0.5:${routePort}"`);
  }, 120_000);
});
