/**
 * A status server that drips (docs/DESIGN.md, "Faults": a network that trickles cannot hold a
 * sync, or the service's shutdown, open), met by the built CLI in child processes: a small node
 * HTTP server on 127.0.0.1 answers the manifest's headers at once, then one byte of body every
 * 2 s, never quite silent, so the idle timeout never fires. `roadscan sync` gives up on the
 * transfer-rate floor with one line and exit 1, in bounded time; `roadscan run`, stuck in that
 * same transfer, ends on SIGTERM with exit 0 within 5 s.
 */
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createDemoWorld, type DemoWorld } from '../../../sim/scenarios/demo.js';
import { runCli } from '../../helpers/cli.js';
import { runHarness } from '../../helpers/run-harness.js';
import { writeFileSync } from 'node:fs';

const DRIP_EVERY_MS = 2000;

/** Answers every request with 200 and a 4 kB body it sends one byte per DRIP_EVERY_MS. */
class DripServer {
  requests = 0;
  /** Responses still being dripped (the client has not gone). */
  readonly open = new Set<ServerResponse>();
  private constructor(private readonly server: Server) {}

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/`;
  }

  static async start(): Promise<DripServer> {
    let self!: DripServer;
    const server = createServer((req, res) => {
      self.requests++;
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': '4096' });
      self.open.add(res);
      const timer = setInterval(() => res.write(Buffer.of(0xa1)), DRIP_EVERY_MS);
      res.on('close', () => {
        clearInterval(timer);
        self.open.delete(res);
      });
      req.resume();
    });
    self = new DripServer(server);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    return self;
  }

  async close(): Promise<void> {
    for (const res of this.open) res.destroy();
    await new Promise<void>((r) => this.server.close(() => r()));
  }
}

let drip: DripServer;
let world: DemoWorld;
const harness = runHarness('all');

beforeAll(async () => {
  drip = await DripServer.start();
  world = createDemoWorld(harness.tempDir('roadscan-drip-world-'), Math.floor(Date.now() / 1000));
});
afterAll(() => drip.close());
afterEach(() => {
  drip.requests = 0;
});

describe('a status server that drips', () => {
  it('roadscan sync gives up on the rate floor with one line and exit 1, in bounded time', async () => {
    const dir = harness.tempDir('roadscan-drip-sync-');
    const config = join(dir, 'config.json');
    // A 1.5 s floor window (default 60 s) keeps the test short; the idle timeout (10 s) is
    // longer than the drip interval, so only the floor can end this transfer.
    writeFileSync(config, JSON.stringify({ trustFile: world.trustFile, db: 'sync.db', statusList: { timeoutSec: 10, minRateWindowSec: 1.5 } }));
    const t0 = Date.now();
    const r = await runCli(['sync', '--url', drip.url, '--config', config], { timeoutMs: 30_000 });
    const took = Date.now() - t0;
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^roadscan: sync failed: manifest\.cose: too slow \(\d+ B\/s over [\d.]+ s, the floor is 1024 B\/s\)\n$/);
    expect(drip.requests).toBe(1);
    // Window 1.5 s, checked each second: cut within about 3 s of the first byte (plus the CLI's start).
    expect(took).toBeLessThan(10_000);
    console.log(`drip: roadscan sync gave up after ${took} ms (whole process)`);
  });

  it('roadscan run, stuck in a dripping sync, exits 0 within 5 s of SIGTERM', async () => {
    const service = await harness.start({
      config: {
        trustFile: world.trustFile,
        db: 'run.db',
        log: { level: 'info' },
        // The default 60 s floor window: the transfer is still held open when SIGTERM comes.
        statusList: { url: drip.url, timeoutSec: 30 },
      },
      scanner: true,
    });
    await service.waitForLog(/service running/);
    for (let i = 0; i < 100 && drip.open.size === 0; i++) await new Promise((r) => setTimeout(r, 50));
    expect(drip.open.size).toBe(1);
    // Let the drip bring a byte or two, so the transfer is under way, not just asked for.
    await new Promise((r) => setTimeout(r, DRIP_EVERY_MS + 500));
    expect(drip.open.size).toBe(1);
    const t0 = Date.now();
    const code = await service.stop('SIGTERM', 5000);
    const stopMs = Date.now() - t0;
    console.log(`drip: roadscan run exited ${stopMs} ms after SIGTERM`);
    expect(stopMs).toBeLessThan(5000);
    expect(code).toBe(0);
    expect(service.stderr()).not.toMatch(/unhandled|uncaught|at .*\.js:\d+/);
    // The request was ended by the client, not left open.
    for (let i = 0; i < 40 && drip.open.size > 0; i++) await new Promise((r) => setTimeout(r, 50));
    expect(drip.open.size).toBe(0);
  });
});
