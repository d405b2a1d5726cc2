/**
 * `roadscan doctor` on a healthy device (a synced list, a trust list, a scanner on a real
 * pseudo-terminal, free ports) and a broken one (no list, no scanner): one line per check, `FIX`
 * lines saying what to do, exit 0 and 1.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPtyPair, type PtyPair } from '../../hal/scanner/pty-pair.js';
import { createDemoWorld, syncDemoDatabase, type DemoWorld } from '../../sim/scenarios/demo.js';
import { runCli } from '../helpers/cli.js';

let dir: string;
let world: DemoWorld;
let pair: PtyPair;
let cfg: string;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'roadscan-doctor-'));
  world = createDemoWorld(join(dir, 'authority'), Math.floor(Date.now() / 1000));
  await syncDemoDatabase(world, join(dir, 'good.db'));
  pair = await startPtyPair(join(dir, 'scanner'), join(dir, 'feeder'));
  cfg = join(dir, 'config.json');
  writeFileSync(cfg, JSON.stringify({ screen: { port: 0 }, health: { port: 0 } }));
});
afterAll(async () => {
  await pair?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('roadscan doctor', () => {
  it('says ok to a healthy device, exit 0', async () => {
    const res = await runCli(['doctor', '--hal', 'sim', '--config', cfg, '--db', join(dir, 'good.db'), '--trust', world.trustFile, '--scanner', join(dir, 'scanner')], {
      timeoutMs: 30_000,
    });
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    const lines = res.stdout.trimEnd().split('\n');
    // From 1 November the rules data may say WARN (next year's calendar missing): never FIX.
    expect(lines.filter((l) => !l.startsWith('ok ') && !l.startsWith('WARN rules data: '))).toEqual([]);
    for (const what of ['configuration', 'database', 'trust anchor', 'status list', 'signed documents', 'serial device', 'clock', 'screen port', 'health port']) {
      expect(
        lines.some((l) => l.includes(`  ${what}: `)),
        what,
      ).toBe(true);
    }
  });

  it('warns when a signed document held is past its expires: every scan carries TRUST_STALE (spec 1.2)', async () => {
    const fresh = await runCli(['doctor', '--hal', 'sim', '--config', cfg, '--db', join(dir, 'good.db'), '--trust', world.trustFile, '--scanner', join(dir, 'scanner')], {
      timeoutMs: 30_000,
    });
    const until = /^ok {3}signed documents: trust list version \d+.*; the first expires (\S+)$/m.exec(fresh.stdout)?.[1];
    expect(until, fresh.stdout).toBeDefined();
    const past = new Date(Date.parse(until!) + 3600_000).toISOString();
    const res = await runCli(
      ['doctor', '--hal', 'sim', '--config', cfg, '--db', join(dir, 'good.db'), '--trust', world.trustFile, '--scanner', join(dir, 'scanner'), '--now', past],
      { timeoutMs: 30_000 },
    );
    expect(res.stdout).toMatch(/^WARN signed documents: trust list version \d+ \(expired \S+\): every scan carries TRUST_STALE/m);
    const json = await runCli(
      ['doctor', '--json', '--hal', 'sim', '--config', cfg, '--db', join(dir, 'good.db'), '--trust', world.trustFile, '--scanner', join(dir, 'scanner'), '--now', past],
      { timeoutMs: 30_000 },
    );
    const checks = (JSON.parse(json.stdout) as { checks: { name: string; state: string }[] }).checks;
    expect(checks.filter((c) => c.name === 'signed documents').map((c) => c.state)).toEqual(['warn']);
  });

  it('says what to fix on a broken device, one line each, exit 1', async () => {
    const res = await runCli(
      ['doctor', '--hal', 'sim', '--config', cfg, '--db', join(dir, 'empty.db'), '--trust', world.trustFile, '--scanner', join(dir, 'no-such-tty')],
      { timeoutMs: 30_000 },
    );
    expect(res.code).toBe(1);
    expect(res.stdout).toMatch(/^FIX  status list: never synced .*run roadscan sync/m);
    expect(res.stdout).toMatch(/^FIX  serial device: .*no-such-tty not found: plug the scanner in/m);
    expect(res.stdout).toMatch(/^ok   trust anchor: /m);
  });
});
