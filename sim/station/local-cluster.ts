/**
 * A station's nats-server cluster on 127.0.0.1, for the tests and `npm run bench`: three real
 * servers with JetStream, each on free ports with its store in a temporary folder, configured
 * from the same template the Pi installs (config/nats-station.conf.template), so the tests run
 * the shipped configuration. Members can be killed and started again to play a failing station.
 *
 * `closed` runs the station closed as shipped: key material from scripts/deploy/station-keys.sh (the
 * station's CA, a certificate per member and per device), TLS on client and route connections,
 * each device allowed only the bucket. Without it the template's `closed:begin`/`closed:end`
 * blocks are left out: an open cluster, for the tests and rows that are not about access.
 *
 * Readiness is asked of the servers themselves (monitoring `/healthz` and `/jsz`: every route up
 * and a JetStream meta leader elected), in a bounded loop.
 * @module
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PACKAGE_ROOT, packagedConfigFile } from '../../firmware-ts/paths.js';

export const NATS_TEMPLATE_FILE = packagedConfigFile('nats-station.conf.template');

export interface MemberPorts {
  client: number;
  cluster: number;
  http: number;
}

export interface RenderOptions {
  serverName: string;
  clientListen: string;
  clusterListen: string;
  httpListen: string;
  storeDir: string;
  clusterName: string;
  /** The other members' cluster addresses, host:port. */
  routes: readonly string[];
  /** Closed as shipped: the member's TLS folder (ca.pem, member.pem, member.key), the bucket, the devices let in. */
  closed?: { tlsDir: string; bucket: string; devices: readonly string[] };
}

/** The template with its placeholders filled in (the install script does the same with awk). */
export function renderNatsConfig(template: string, o: RenderOptions): string {
  const routes = o.routes.map((r) => `    "nats-route://${r}"`).join('\n');
  const c = o.closed;
  const text = c
    ? template
        .replaceAll('@CA_FILE@', join(c.tlsDir, 'ca.pem'))
        .replaceAll('@MEMBER_CERT@', join(c.tlsDir, 'member.pem'))
        .replaceAll('@MEMBER_KEY@', join(c.tlsDir, 'member.key'))
        .replaceAll('@BUCKET@', c.bucket)
        .replaceAll('@USERS@', c.devices.map((d) => `    { user: "CN=${d},OU=device,O=roadscan station ${o.clusterName}", permissions: $DEVICE }`).join('\n'))
    : template.replace(/^[ \t]*# closed:begin$[\s\S]*?^[ \t]*# closed:end\n/gm, '');
  return text
    .replaceAll('@SERVER_NAME@', o.serverName)
    .replaceAll('@CLIENT_LISTEN@', o.clientListen)
    .replaceAll('@CLUSTER_LISTEN@', o.clusterListen)
    .replaceAll('@HTTP_LISTEN@', o.httpListen)
    .replaceAll('@STORE_DIR@', o.storeDir)
    .replaceAll('@CLUSTER_NAME@', o.clusterName)
    .replaceAll('@ROUTES@', routes);
}

/** A port free right now on 127.0.0.1 (the OS picks it). */
export async function freePort(): Promise<number> {
  return (await freePorts(1))[0]!;
}

/**
 * Distinct free ports: every listener stays open until all are taken, so the kernel cannot hand the
 * same port out twice (two freePort() calls in a row once did, and a server bound both its client
 * and its route listener to it).
 */
export async function freePorts(count: number): Promise<number[]> {
  const servers: ReturnType<typeof createServer>[] = [];
  try {
    const ports: number[] = [];
    for (let i = 0; i < count; i++) {
      const s = createServer();
      servers.push(s);
      ports.push(
        await new Promise<number>((resolve, reject) => {
          s.once('error', reject);
          s.listen(0, '127.0.0.1', () => {
            const addr = s.address();
            typeof addr === 'object' && addr ? resolve(addr.port) : reject(new Error('no port'));
          });
        }),
      );
    }
    return ports;
  } finally {
    await Promise.all(servers.map((s) => new Promise<void>((resolve) => (s.listening ? s.close(() => resolve()) : resolve()))));
  }
}

export class LocalNatsCluster {
  private readonly procs: (ChildProcess | null)[];
  private readonly logs: string[];

  private constructor(
    readonly dir: string,
    readonly ports: readonly MemberPorts[],
    private readonly configFiles: readonly string[],
    /** The station's key folder (scripts/deploy/station-keys.sh) when closed, else null. */
    readonly keysDir: string | null = null,
  ) {
    this.procs = ports.map(() => null);
    this.logs = ports.map(() => '');
  }

  /** Writes the members' configurations (nothing started yet). */
  static async create(size = 3, clusterName = 'station', opts: { closed?: { bucket: string; devices: readonly string[] } } = {}): Promise<LocalNatsCluster> {
    const dir = mkdtempSync(join(tmpdir(), 'roadscan-nats-'));
    const ports: MemberPorts[] = [];
    const all = await freePorts(size * 3);
    for (let i = 0; i < size; i++) ports.push({ client: all[3 * i]!, cluster: all[3 * i + 1]!, http: all[3 * i + 2]! });
    const template = readFileSync(NATS_TEMPLATE_FILE, 'utf8');
    const keysDir = opts.closed ? join(dir, 'keys') : null;
    if (opts.closed && keysDir) {
      const members = ports.flatMap((_, i) => ['--member', `n${i + 1}=127.0.0.1`]);
      const devices = opts.closed.devices.flatMap((d) => ['--device', d]);
      execFileSync(
        'bash',
        [join(PACKAGE_ROOT, 'scripts', 'deploy', 'station-keys.sh'), '--out', keysDir, '--station', clusterName, ...members, ...devices, '--days', '2'],
        {
          stdio: ['ignore', 'ignore', 'pipe'],
        },
      );
    }
    const files = ports.map((p, i) => {
      const storeDir = join(dir, `n${i + 1}`);
      mkdirSync(storeDir, { recursive: true });
      let closed: RenderOptions['closed'];
      if (opts.closed && keysDir) {
        const tlsDir = join(dir, `n${i + 1}-tls`);
        mkdirSync(tlsDir);
        copyFileSync(join(keysDir, 'ca.pem'), join(tlsDir, 'ca.pem'));
        copyFileSync(join(keysDir, 'members', `n${i + 1}.pem`), join(tlsDir, 'member.pem'));
        copyFileSync(join(keysDir, 'members', `n${i + 1}.key`), join(tlsDir, 'member.key'));
        const devices = [...ports.map((_, j) => `n${j + 1}`), ...opts.closed.devices];
        closed = { tlsDir, bucket: opts.closed.bucket, devices };
      }
      const text = renderNatsConfig(template, {
        serverName: `n${i + 1}`,
        clientListen: `127.0.0.1:${p.client}`,
        clusterListen: `127.0.0.1:${p.cluster}`,
        httpListen: `127.0.0.1:${p.http}`,
        storeDir,
        clusterName,
        routes: ports.filter((_, j) => j !== i).map((q) => `127.0.0.1:${q.cluster}`),
        ...(closed ? { closed } : {}),
      });
      const file = join(dir, `n${i + 1}.conf`);
      writeFileSync(file, text);
      return file;
    });
    return new LocalNatsCluster(dir, ports, files, keysDir);
  }

  /** A device's `station.shared.tls` on a closed cluster (its own certificate, the station's CA). */
  clientTls(device: string): { caFile: string; certFile: string; keyFile: string } {
    if (!this.keysDir) throw new Error('this cluster is open: no device certificates');
    return { caFile: join(this.keysDir, 'ca.pem'), certFile: join(this.keysDir, 'devices', `${device}.pem`), keyFile: join(this.keysDir, 'devices', `${device}.key`) };
  }

  /** The client addresses, as `station.shared.servers` takes them. */
  get servers(): string[] {
    return this.ports.map((p) => `127.0.0.1:${p.client}`);
  }

  /** Starts every member not running and waits until the cluster is formed. */
  async start(timeoutMs = 20_000): Promise<void> {
    for (let i = 0; i < this.ports.length; i++) if (!this.procs[i]) this.startMember(i);
    await this.waitFormed(timeoutMs);
  }

  startMember(i: number): void {
    if (this.procs[i]) return;
    const child = spawn('nats-server', ['--config', this.configFiles[i]!], { stdio: ['ignore', 'ignore', 'pipe'] });
    child.stderr!.on('data', (d: Buffer) => {
      // The last few KiB only: enough to say why a member did not come up.
      this.logs[i] = (this.logs[i] + d.toString('utf8')).slice(-8192);
    });
    child.once('exit', () => {
      if (this.procs[i] === child) this.procs[i] = null;
    });
    this.procs[i] = child;
  }

  /** SIGKILL: a power cut of that member, no goodbye to the others. */
  async kill(i: number): Promise<void> {
    const child = this.procs[i];
    if (!child) return;
    this.procs[i] = null;
    await new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGKILL');
    });
  }

  async stopAll(): Promise<void> {
    await Promise.all(this.ports.map((_, i) => this.kill(i)));
  }

  /** Stops everything and removes the stores. */
  async destroy(): Promise<void> {
    await this.stopAll();
    rmSync(this.dir, { recursive: true, force: true });
  }

  running(i: number): boolean {
    return this.procs[i] !== null;
  }

  /**
   * The member leading `stream`'s Raft group (its index), asked of a running member's monitoring
   * `/jsz`; null when none is elected or nobody answers. A member killed while it leads stops
   * every write for a new election (4 to 9 s in nats-server), one that follows costs nothing.
   */
  async streamLeader(stream: string): Promise<number | null> {
    for (let i = 0; i < this.ports.length; i++) {
      if (!this.running(i)) continue;
      try {
        const res = await fetch(`http://127.0.0.1:${this.ports[i]!.http}/jsz?streams=true`, { signal: AbortSignal.timeout(1000) });
        const jsz = (await res.json()) as { account_details?: { stream_detail?: { name?: string; cluster?: { leader?: string } }[] }[] };
        for (const acc of jsz.account_details ?? []) {
          for (const st of acc.stream_detail ?? []) {
            if (st.name !== stream || !st.cluster?.leader) continue;
            const m = /^n(\d+)$/.exec(st.cluster.leader);
            if (m) return Number(m[1]) - 1;
          }
        }
      } catch {
        // That member does not answer; ask the next one.
      }
    }
    return null;
  }

  /** Waits, bounded, until every running member has its routes to the others and sees a meta leader. */
  async waitFormed(timeoutMs = 20_000): Promise<void> {
    const until = Date.now() + timeoutMs;
    const live = this.ports.map((_, i) => i).filter((i) => this.running(i));
    let last = '';
    while (Date.now() < until) {
      try {
        const ok = await Promise.all(live.map((i) => this.memberReady(i, live.length - 1)));
        if (ok.every(Boolean)) return;
        last = 'routes or meta leader missing';
      } catch (err) {
        last = (err as Error).message;
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`nats cluster not formed within ${timeoutMs} ms (${last}); logs:\n${this.logs.join('\n---\n').slice(-4000)}`);
  }

  private async memberReady(i: number, peers: number): Promise<boolean> {
    const base = `http://127.0.0.1:${this.ports[i]!.http}`;
    const routez = (await (await fetch(`${base}/routez`, { signal: AbortSignal.timeout(1000) })).json()) as { num_routes?: number };
    if ((routez.num_routes ?? 0) < peers) return false;
    const jsz = (await (await fetch(`${base}/jsz`, { signal: AbortSignal.timeout(1000) })).json()) as {
      meta_cluster?: { leader?: string };
    };
    return Boolean(jsz.meta_cluster?.leader);
  }
}
