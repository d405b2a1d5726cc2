/**
 * A station's nats-server cluster on 127.0.0.1, for the tests and `npm run bench`: three real
 * servers with JetStream, each on free ports with its store in a temporary folder, configured
 * from the same template the Pi installs (config/nats-station.conf.template), so the tests run
 * the shipped configuration. Members can be killed and started again to play a failing station.
 *
 * Readiness is asked of the servers themselves (monitoring `/healthz` and `/jsz`: every route up
 * and a JetStream meta leader elected), in a bounded loop.
 * @module
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packagedConfigFile } from '../../firmware-ts/paths.js';

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
}

/** The template with its placeholders filled in (the install script does the same with sed). */
export function renderNatsConfig(template: string, o: RenderOptions): string {
  const routes = o.routes.map((r) => `    "nats-route://${r}"`).join('\n');
  return template
    .replaceAll('@SERVER_NAME@', o.serverName)
    .replaceAll('@CLIENT_LISTEN@', o.clientListen)
    .replaceAll('@CLUSTER_LISTEN@', o.clusterListen)
    .replaceAll('@HTTP_LISTEN@', o.httpListen)
    .replaceAll('@STORE_DIR@', o.storeDir)
    .replaceAll('@CLUSTER_NAME@', o.clusterName)
    .replaceAll('@ROUTES@', routes);
}

/** A port free right now on 127.0.0.1 (the OS picks it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const addr = s.address();
      s.close(() => (typeof addr === 'object' && addr ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

export class LocalNatsCluster {
  private readonly procs: (ChildProcess | null)[];
  private readonly logs: string[];

  private constructor(
    readonly dir: string,
    readonly ports: readonly MemberPorts[],
    private readonly configFiles: readonly string[],
  ) {
    this.procs = ports.map(() => null);
    this.logs = ports.map(() => '');
  }

  /** Writes the members' configurations (nothing started yet). */
  static async create(size = 3, clusterName = 'station'): Promise<LocalNatsCluster> {
    const dir = mkdtempSync(join(tmpdir(), 'roadscan-nats-'));
    const ports: MemberPorts[] = [];
    for (let i = 0; i < size; i++) ports.push({ client: await freePort(), cluster: await freePort(), http: await freePort() });
    const template = readFileSync(NATS_TEMPLATE_FILE, 'utf8');
    const files = ports.map((p, i) => {
      const storeDir = join(dir, `n${i + 1}`);
      mkdirSync(storeDir, { recursive: true });
      const text = renderNatsConfig(template, {
        serverName: `n${i + 1}`,
        clientListen: `127.0.0.1:${p.client}`,
        clusterListen: `127.0.0.1:${p.cluster}`,
        httpListen: `127.0.0.1:${p.http}`,
        storeDir,
        clusterName,
        routes: ports.filter((_, j) => j !== i).map((q) => `127.0.0.1:${q.cluster}`),
      });
      const file = join(dir, `n${i + 1}.conf`);
      writeFileSync(file, text);
      return file;
    });
    return new LocalNatsCluster(dir, ports, files);
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
