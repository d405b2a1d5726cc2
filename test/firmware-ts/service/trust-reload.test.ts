/**
 * A trust list that arrives by sync while the service runs, as separate `roadscan run`
 * processes see it (docs/STATUS-LIST.md step 6): when the configured trust file can no longer
 * be read, the service keeps the list it had, says why in one log line and goes on scanning;
 * when it can, the higher version wins, and `roadscan verify` on the same device answers the
 * same as the running service.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startPtyPair, type PtyPair } from '../../../hal/scanner/pty-pair.js';
import { loadRootGeneration } from '../../../sim/authority/root-store.js';
import { signPublication } from '../../../sim/authority/signed-publications.js';
import { createDemoWorld, type DemoWorld } from '../../../sim/scenarios/demo.js';
import { publishNext } from '../../../sim/status/status-publisher.js';
import { StatusServer } from '../../../sim/status/status-server.js';
import { waitUntil, writeTo } from '../../hal/helpers/events.js';
import { BIN, runCli } from '../../helpers/cli.js';

let dir: string;
let world: DemoWorld;
let server: StatusServer;
let pair: PtyPair | null = null;
let child: ChildProcess | null = null;
let events: Record<string, unknown>[];
let stderr: string;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'roadscan-trust-reload-'));
  world = createDemoWorld(join(dir, 'authority'), Math.floor(Date.now() / 1000));
  server = await StatusServer.start(world.publishedDir);
  pair = await startPtyPair(join(dir, 'scanner'), join(dir, 'feeder'));
  events = [];
  stderr = '';
});

afterEach(async () => {
  if (child && child.exitCode === null) child.kill('SIGKILL');
  await pair?.stop();
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Starts `roadscan run` syncing every ~1 s from the test's server, trust from `trustFile`. */
function startRun(trustFile: string): ChildProcess {
  const config = join(dir, 'config.json');
  writeFileSync(
    config,
    JSON.stringify({
      trustFile,
      screen: { enabled: false },
      health: { enabled: false },
      log: { level: 'info' },
      statusList: { url: server.url, periodMin: 0.02, jitter: 0, retryMinSec: 0.5, retryMaxMin: 0.02, timeoutSec: 5 },
    }),
  );
  const c = spawn(
    process.execPath,
    [BIN, 'run', '--hal', 'sim', '--scanner', join(dir, 'scanner'), '--events', 'json', '--config', config, '--db', join(dir, 'run.db')],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let buf = '';
  c.stdout!.on('data', (d: Buffer) => {
    buf += d.toString('utf8');
    let nl: number;
    while ((nl = buf.indexOf('\n')) >= 0) {
      events.push(JSON.parse(buf.slice(0, nl)) as Record<string, unknown>);
      buf = buf.slice(nl + 1);
    }
  });
  c.stderr!.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
  child = c;
  return c;
}

const scans = () => events.filter((e) => e.event === 'scan');
const exited = (c: ChildProcess) => new Promise<number | null>((resolve) => (c.exitCode !== null ? resolve(c.exitCode) : c.once('exit', (code) => resolve(code))));

/** Version 3 of the trust list, signed by the root: the licence issuer is gone, the status-list key stays. */
function publishTrustWithoutLicenceIssuer(): void {
  const a = world.authority;
  const root = loadRootGeneration(world.dir, 1);
  const v3 = JSON.stringify(a.trustList(3, { root, issuers: ['mot', 'sl'] }));
  const trustDocument = { version: 3, bytes: signPublication(v3, { root, sl: a.keys.sl }) };
  publishNext({ dir: world.publishedDir, key: a.keys.sl, iat: Math.floor(Date.now() / 1000), changes: new Map(), trustDocument });
}

async function scan(text: string, n: number): Promise<Record<string, unknown>> {
  writeTo(join(dir, 'feeder'), `${text}\r\n`);
  return waitUntil(() => scans()[n - 1], `scan ${n}`, 20_000);
}

describe('a trust list received while the service runs', () => {
  it('keeps the list in force when the configured file cannot be read, says why once, and goes on scanning', async () => {
    const trustFile = join(dir, 'trust.json');
    copyFileSync(world.trustFile, trustFile);
    const run = startRun(trustFile);
    await waitUntil(() => (/status list sync/.test(stderr) ? true : undefined), 'first sync', 30_000);
    rmSync(trustFile);
    publishTrustWithoutLicenceIssuer();
    await waitUntil(() => (/received trust list not used/.test(stderr) ? true : undefined), 'the refusal to use the new list', 30_000);
    const why = stderr.split('\n').filter((l) => /received trust list not used/.test(l));
    expect(why[0]).toMatch(/trust list/);
    expect(why[0]).toMatch(/ENOENT|cannot read/);
    // Still the list it had: the licence issuer still counts, and the service still scans.
    const dl = world.authority.code({ type: 'DL', now: Math.floor(Date.now() / 1000) });
    const first = await scan(dl.text, 1);
    expect(first.reasons).not.toContain('UNKNOWN_ISSUER');
    expect(first.type).toBe('DL');
    run.kill('SIGTERM');
    expect(await exited(run)).toBe(0);
    expect(stderr).not.toMatch(/unhandled|uncaught|at .*\.js:\d+/);
  });

  it('replaces the configured list by the higher synced version, and verify answers as run does', async () => {
    const run = startRun(world.trustFile);
    await waitUntil(() => (/status list sync/.test(stderr) ? true : undefined), 'first sync', 30_000);
    publishTrustWithoutLicenceIssuer();
    await waitUntil(() => (/trust list replaced/.test(stderr) ? true : undefined), 'the new trust list', 30_000);
    const dl = world.authority.code({ type: 'DL', now: Math.floor(Date.now() / 1000) });
    const inRun = await scan(dl.text, 1);
    expect(inRun.verdict).toBe('reject');
    expect(inRun.reasons).toContain('UNKNOWN_ISSUER');
    const inVerify = await runCli(['verify', '--json', '--config', join(dir, 'config.json'), '--db', join(dir, 'run.db'), dl.text]);
    const answer = JSON.parse(inVerify.stdout) as { verdict: string; reasons: string[] };
    expect({ verdict: answer.verdict, reasons: answer.reasons }).toEqual({ verdict: inRun.verdict, reasons: inRun.reasons });
    run.kill('SIGTERM');
    expect(await exited(run)).toBe(0);
  });
});
