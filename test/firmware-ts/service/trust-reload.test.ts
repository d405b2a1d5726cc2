/**
 * A trust list that arrives by sync while the service runs, as separate `roadscan run`
 * processes see it (docs/STATUS-LIST.md step 6): when the configured trust file can no longer
 * be read, the service keeps the list it had, says why in one log line and goes on scanning;
 * when it can, the higher version wins, and `roadscan verify` on the same device answers the
 * same as the running service.
 */
import { copyFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadRootGeneration } from '../../../sim/authority/root-store.js';
import { signPublication } from '../../../sim/authority/signed-publications.js';
import { createDemoWorld, type DemoWorld } from '../../../sim/scenarios/demo.js';
import { publishNext } from '../../../sim/status/status-publisher.js';
import { StatusServer } from '../../../sim/status/status-server.js';
import { runCli } from '../../helpers/cli.js';
import { runHarness, type RunningService } from '../../helpers/run-harness.js';

const harness = runHarness();
let dir: string;
let world: DemoWorld;
let server: StatusServer;

beforeEach(async () => {
  dir = harness.tempDir('roadscan-trust-reload-');
  world = createDemoWorld(join(dir, 'authority'), Math.floor(Date.now() / 1000));
  server = await StatusServer.start(world.publishedDir);
});

afterEach(async () => {
  await server.close();
});

/** Starts `roadscan run` syncing every ~1 s from the test's server, trust from `trustFile`. */
function startRun(trustFile: string): Promise<RunningService> {
  return harness.start({
    dir,
    scanner: true,
    config: {
      trustFile,
      log: { level: 'info' },
      statusList: { url: server.url, periodMin: 0.02, jitter: 0, retryMinSec: 0.5, retryMaxMin: 0.02, timeoutSec: 5 },
    },
    args: ['--db', join(dir, 'run.db')],
  });
}

/** Version 3 of the trust list, signed by the root: the licence issuer is gone, the status-list key stays. */
function publishTrustWithoutLicenceIssuer(): void {
  const a = world.authority;
  const root = loadRootGeneration(world.dir, 1);
  const v3 = JSON.stringify(a.trustList(3, { root, issuers: ['mot', 'sl'] }));
  const trustDocument = { version: 3, bytes: signPublication(v3, { root, sl: a.keys.sl }) };
  publishNext({ dir: world.publishedDir, key: a.keys.sl, iat: Math.floor(Date.now() / 1000), changes: new Map(), trustDocument });
}

async function scan(run: RunningService, text: string): Promise<Record<string, unknown>> {
  run.send(`${text}\r\n`);
  return run.nextEvent('scan');
}

describe('a trust list received while the service runs', () => {
  it('keeps the list in force when the configured file cannot be read, says why once, and goes on scanning', async () => {
    const trustFile = join(dir, 'trust.json');
    copyFileSync(world.trustFile, trustFile);
    const run = await startRun(trustFile);
    await run.waitForLog(/status list sync/, 30_000);
    rmSync(trustFile);
    publishTrustWithoutLicenceIssuer();
    await run.waitForLog(/received trust list not used/, 30_000);
    const why = run
      .stderr()
      .split('\n')
      .filter((l) => /received trust list not used/.test(l));
    expect(why[0]).toMatch(/trust list/);
    expect(why[0]).toMatch(/ENOENT|cannot read/);
    // Still the list it had: the licence issuer still counts, and the service still scans.
    const dl = world.authority.code({ type: 'DL', now: Math.floor(Date.now() / 1000) });
    const first = await scan(run, dl.text);
    expect(first.reasons).not.toContain('UNKNOWN_ISSUER');
    expect(first.type).toBe('DL');
    expect(await run.stop('SIGTERM')).toBe(0);
    expect(run.stderr()).not.toMatch(/unhandled|uncaught|at .*\.js:\d+/);
  });

  it('replaces the configured list by the higher synced version, and verify answers as run does', async () => {
    const run = await startRun(world.trustFile);
    await run.waitForLog(/status list sync/, 30_000);
    publishTrustWithoutLicenceIssuer();
    await run.waitForLog(/trust list replaced/, 30_000);
    const dl = world.authority.code({ type: 'DL', now: Math.floor(Date.now() / 1000) });
    const inRun = await scan(run, dl.text);
    expect(inRun.verdict).toBe('reject');
    expect(inRun.reasons).toContain('UNKNOWN_ISSUER');
    const inVerify = await runCli(['verify', '--json', '--config', join(dir, 'config.json'), '--db', join(dir, 'run.db'), dl.text]);
    const answer = JSON.parse(inVerify.stdout) as { verdict: string; reasons: string[] };
    expect({ verdict: answer.verdict, reasons: answer.reasons }).toEqual({ verdict: inRun.verdict, reasons: inRun.reasons });
    expect(await run.stop('SIGTERM')).toBe(0);
  });
});
