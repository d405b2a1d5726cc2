/** `roadscan run` start-up failures: one line, exit status 2, no stack trace, no hanging. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDemoWorld, type DemoWorld } from '../../../sim/scenarios/demo.js';
import { runCli } from '../../helpers/cli.js';

let dir: string;
let world: DemoWorld;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'roadscan-run-err-'));
  world = createDemoWorld(join(dir, 'authority'), Math.floor(Date.now() / 1000));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function config(obj: unknown): string {
  const file = join(dir, `config-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(file, JSON.stringify(obj));
  return file;
}

describe('roadscan run start-up errors', () => {
  it('an LED that cannot be had stops the start with one line naming it', async () => {
    const cfg = config({
      screen: { enabled: false },
      health: { enabled: false },
      indicator: { driver: 'led-class' },
      leds: { green: 'roadscan-test:green', amber: null, red: null, buzzer: null },
    });
    const res = await runCli(['run', '--hal', 'pi', '--scanner', join(dir, 'no-such-tty'), '--config', cfg, '--trust', world.trustFile, '--db', join(dir, 'a.db')], {
      timeoutMs: 20_000,
    });
    expect(res.code).toBe(2);
    expect(res.stderr).toMatch(/^roadscan: LED \/sys\/class\/leds\/roadscan-test:green for green: not found: add a gpio-led overlay naming it \(see README\)\n$/m);
    expect(res.stderr).not.toMatch(/\n\s+at /);
  });

  it('a configuration error names the key', async () => {
    const cfg = config({ scanner: { terminator: 'tab' } });
    const res = await runCli(['run', '--hal', 'sim', '--config', cfg, '--trust', world.trustFile, '--db', join(dir, 'b.db')], { timeoutMs: 20_000 });
    expect(res.code).toBe(2);
    expect(res.stderr).toContain('scanner.terminator');
  });

  it('a bad trust file with the simulated pty scanner exits 2 instead of hanging on the pseudo-terminal', async () => {
    const bad = join(dir, 'bad-trust.json');
    writeFileSync(bad, '{bad');
    const cfg = config({ screen: { enabled: false }, health: { enabled: false } });
    const res = await runCli(['run', '--hal', 'sim', '--scanner', 'pty', '--config', cfg, '--trust', bad, '--db', join(dir, 'c.db')], { timeoutMs: 20_000 });
    expect(res.code).toBe(2);
    expect(res.stderr).toMatch(/^roadscan: trust list .*bad-trust\.json: not valid JSON/m);
  });
});
