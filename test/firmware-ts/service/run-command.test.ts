/**
 * `roadscan run --hal sim --scanner PTY --events json` as a user runs it: the built binary, a
 * socat pty pair, the events on standard output, a clean stop on SIGTERM, every scan in SQLite.
 * Its database holds the demo's status list, synced by the real sync before the run starts.
 */
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { beforeEach, describe, expect, it } from 'vitest';
import { createDemoWorld, type DemoWorld } from '../../../sim/scenarios/demo.js';
import { runHarness, syncedDemoDatabase, type RunningService } from '../../helpers/run-harness.js';

const NOW_SEC = Date.UTC(2026, 4, 12, 2, 0, 0) / 1000;
const harness = runHarness();
let dir: string;
let world: DemoWorld;
let run: RunningService;

beforeEach(async () => {
  dir = harness.tempDir('roadscan-run-');
  world = createDemoWorld(join(dir, 'authority'), NOW_SEC);
  // The child opens this database: the list is in it before the child starts, our handle closed.
  const dbFile = await syncedDemoDatabase(world, join(dir, 'run.db'));
  run = await harness.start({
    dir,
    scanner: true,
    config: { scanner: { reconnect: { initialMs: 20, maxMs: 100 } } },
    args: ['--trust', world.trustFile, '--db', dbFile, '--now', new Date(NOW_SEC * 1000).toISOString()],
  });
});

describe('roadscan run --hal sim --scanner PTY --events json', () => {
  it('prints scanner, scan and indicator events per docs/CLI.md, logs every scan, and stops cleanly on SIGTERM', async () => {
    await run.nextEvent('scanner');
    expect(run.events[0]).toEqual({ event: 'scanner', state: 'open' });
    const a = world.authority;
    run.send(`]Q1${a.code({ type: 'DL', now: NOW_SEC }).text}\r\n`);
    run.send(`${a.code({ type: 'DL', now: NOW_SEC, flaw: 'holder-signature' }).text}\r`);
    run.send('not a code\n');
    run.send(`${world.revoked.text}\r\n`);
    const scans = [];
    for (let i = 0; i < 4; i++) scans.push(await run.nextEvent('scan', 10_000));
    expect(scans.map((s) => s.verdict)).toEqual(['accept', 'reject', 'reject', 'reject']);
    expect(scans[0]).toMatchObject({ type: 'DL', reasons: [] });
    expect(scans[1]).toMatchObject({ reasons: ['BAD_HOLDER_SIGNATURE'] });
    expect(scans[3]).toMatchObject({ type: 'DL', reasons: ['REVOKED'] });
    expect(Object.keys(scans[0]!).sort()).toEqual(['event', 'fields', 'ms', 'reasons', 'type', 'verdict']);
    const ind = run.of('indicator');
    for (const e of ind) {
      expect(Object.keys(e).sort()).toEqual(['buzzer', 'event', 'led', 't']);
      expect(['green', 'amber', 'red', 'off']).toContain(e.led);
      expect(['on', 'off']).toContain(e.buzzer);
    }
    expect(ind.some((e) => e.led === 'red' && e.buzzer === 'on')).toBe(true);

    expect(await run.stop('SIGTERM')).toBe(0);
    expect(run.of('scan')).toHaveLength(4);
    expect(run.of('indicator').at(-1)).toMatchObject({ led: 'off', buzzer: 'off' });
    const db = new Database(join(dir, 'run.db'), { readonly: true });
    try {
      const rows = db.prepare('SELECT verdict, reasons FROM audit_log ORDER BY seq').all();
      expect(rows).toEqual([
        { verdict: 'accept', reasons: '' },
        { verdict: 'reject', reasons: 'BAD_HOLDER_SIGNATURE' },
        { verdict: 'reject', reasons: 'MALFORMED' },
        { verdict: 'reject', reasons: 'REVOKED' },
      ]);
    } finally {
      db.close();
    }
    expect(run.stderr()).not.toMatch(/at .*\.js:\d+/); // no stack trace
  });

  it('reports the scanner unplugged and back, without a restart', async () => {
    expect(await run.nextEvent('scanner')).toMatchObject({ state: 'open' });
    await run.unplug();
    await run.nextEvent((e) => e.event === 'scanner' && e.state === 'closed', 10_000);
    await run.replug();
    await run.nextEvent((e) => e.event === 'scanner' && e.state === 'open', 10_000);
    run.send(`${world.authority.code({ type: 'VR', now: NOW_SEC }).text}\r\n`);
    expect(await run.nextEvent('scan', 10_000)).toMatchObject({ verdict: 'warn', type: 'VR' });
    expect(await run.stop('SIGINT')).toBe(0);
  });
});
