/**
 * One real nats-server with JetStream on 127.0.0.1 for a station store test that needs the
 * server set up its own way (TLS asking for client certificates, operator-mode accounts), and the
 * gates opened against it. Everything lives in one temporary folder, made at once so that a
 * test can put its certificates or keys there before the server starts; `close()` stops the
 * server, closes every store and database and removes the folder.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { openDatabase, type Db } from '../../firmware-ts/store/database.js';
import { openStationStore, type StationStore } from '../../firmware-ts/station/station-store.js';
import { freePorts } from '../../sim/station/local-cluster.js';

type Shared = NonNullable<Parameters<typeof openStationStore>[0]['shared']>;

export class LoneNatsServer {
  readonly dir: string;
  address = '';
  private server: ChildProcess | null = null;
  private serverLog = '';
  private readonly opened: { s: StationStore; db: Db }[] = [];
  private n = 0;

  constructor(prefix: string) {
    this.dir = mkdtempSync(join(tmpdir(), prefix));
  }

  /** The end of what the server wrote on stderr. */
  get log(): string {
    return this.serverLog;
  }

  /** Starts the server with `extra` configuration lines; resolves once `/healthz` answers. */
  async start(what: string, extra: string[], healthQuery = ''): Promise<void> {
    const [port, http] = (await freePorts(2)) as [number, number];
    this.address = `127.0.0.1:${port}`;
    const conf = join(this.dir, 'nats.conf');
    writeFileSync(conf, [`listen: "127.0.0.1:${port}"`, `http: "127.0.0.1:${http}"`, `jetstream { store_dir: "${join(this.dir, 'js')}" }`, ...extra, ''].join('\n'));
    const server = spawn('nats-server', ['--config', conf], { stdio: ['ignore', 'ignore', 'pipe'] });
    this.server = server;
    server.stderr!.on('data', (d: Buffer) => (this.serverLog = (this.serverLog + d.toString('utf8')).slice(-8192)));
    const end = Date.now() + 20_000;
    for (;;) {
      try {
        const res = await fetch(`http://127.0.0.1:${http}/healthz${healthQuery}`, { signal: AbortSignal.timeout(1000) });
        if (res.ok) return;
      } catch {
        // not listening yet
      }
      if (Date.now() > end || server.exitCode !== null) throw new Error(`nats-server ${what} did not start:\n${this.serverLog}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /** A gate's station store on a database of its own, against this server; its warnings kept. */
  gate(name: string, shared: Partial<Shared> & { bucket: string }): { s: StationStore; warnings: string[] } {
    const warnings: string[] = [];
    const db = openDatabase(join(this.dir, `${name}-${this.n++}.db`));
    const s = openStationStore({
      db,
      deviceId: name,
      shared: {
        servers: [this.address],
        replicas: 1,
        deadlineMs: 300,
        recordMaxAgeHours: 24,
        handoverPeriodMs: 200,
        handoverQueueMax: 100_000,
        credsFile: null,
        tls: null,
        ...shared,
      },
      resolvePath: (p) => resolve(this.dir, p),
      log: { warn: (o, m) => warnings.push(`${m} ${JSON.stringify(o)}`), info: () => undefined },
    });
    this.opened.push({ s, db });
    return { s, warnings };
  }

  /** Waits (bounded) until `ok()`; a timeout says what it waited for and ends with the server's log. */
  async until(what: string, ok: () => boolean, ms = 15_000): Promise<void> {
    const end = Date.now() + ms;
    while (Date.now() < end) {
      if (ok()) return;
      await new Promise((r) => setTimeout(r, 25));
    }
    throw new Error(`timed out waiting for ${what}; server log:\n${this.serverLog.slice(-2000)}`);
  }

  async close(): Promise<void> {
    for (const { s, db } of this.opened) {
      await s.store.close().catch(() => undefined);
      db.close();
    }
    const server = this.server;
    if (server && server.exitCode === null) {
      const gone = new Promise((r) => server.once('exit', r));
      server.kill('SIGKILL');
      await gone;
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}

export const onceKey = (i: number) => i.toString(16).padStart(32, '0');
export const boardedBy = (device: string, atSec: number) => ({ action: 'boarded' as const, device, atSec, scanId: `s${atSec}` });
