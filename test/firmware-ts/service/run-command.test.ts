/**
 * `roadscan run --hal sim --scanner PTY --events json` as a user runs it: the built binary, a
 * socat pty pair, the events on standard output, a clean stop on SIGTERM, every scan in SQLite.
 * Its database holds the demo's status list, synced by the real sync before the run starts.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startPtyPair, type PtyPair } from '../../../hal/scanner/pty-pair.js';
import { openDatabase } from '../../../firmware-ts/store/database.js';
import { createDemoWorld, syncDemoStatusList, type DemoWorld } from '../../../sim/scenarios/demo.js';
import { BIN } from '../../helpers/cli.js';
import { waitUntil, writeTo } from '../../hal/helpers/events.js';

const NOW_SEC = Date.UTC(2026, 4, 12, 2, 0, 0) / 1000;
let dir: string;
let world: DemoWorld;
let pair: PtyPair | null;
let child: ChildProcess;
let lines: Record<string, unknown>[];
let stderr: string;
let device: string;
let feeder: string;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'roadscan-run-'));
  world = createDemoWorld(join(dir, 'authority'), NOW_SEC);
  // The child opens this database: the list is in it before the child starts, our handle closed.
  const dbFile = join(dir, 'run.db');
  const db = openDatabase(dbFile);
  try {
    (await syncDemoStatusList(world, db, dbFile)).close();
  } finally {
    db.close();
  }
  device = join(dir, 'scanner');
  feeder = join(dir, 'feeder');
  pair = await startPtyPair(device, feeder);
  // No screen or health server: tests run in parallel and must not fight over ports.
  writeFileSync(
    join(dir, 'config.json'),
    JSON.stringify({ screen: { enabled: false }, health: { enabled: false }, scanner: { reconnect: { initialMs: 20, maxMs: 100 } } }),
  );
  lines = [];
  stderr = '';
  child = spawn(
    process.execPath,
    [
      BIN,
      'run',
      '--hal',
      'sim',
      '--scanner',
      device,
      '--events',
      'json',
      '--config',
      join(dir, 'config.json'),
      '--trust',
      world.trustFile,
      '--db',
      join(dir, 'run.db'),
      '--now',
      new Date(NOW_SEC * 1000).toISOString(),
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let buf = '';
  child.stdout!.on('data', (d: Buffer) => {
    buf += d.toString('utf8');
    let nl: number;
    while ((nl = buf.indexOf('\n')) >= 0) {
      lines.push(JSON.parse(buf.slice(0, nl)) as Record<string, unknown>);
      buf = buf.slice(nl + 1);
    }
  });
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
});

afterEach(async () => {
  if (child.exitCode === null) child.kill('SIGKILL');
  await pair?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const exited = () => new Promise<number | null>((resolve) => (child.exitCode !== null ? resolve(child.exitCode) : child.once('exit', (c) => resolve(c))));
const events = (name: string) => lines.filter((l) => l.event === name);

describe('roadscan run --hal sim --scanner PTY --events json', () => {
  it('prints scanner, scan and indicator events per docs/CLI.md, logs every scan, and stops cleanly on SIGTERM', async () => {
    await waitUntil(() => (events('scanner').length > 0 ? true : undefined), 'scanner event', 20_000);
    expect(lines[0]).toEqual({ event: 'scanner', state: 'open' });
    const a = world.authority;
    writeTo(feeder, `]Q1${a.code({ type: 'DL', now: NOW_SEC }).text}\r\n`);
    writeTo(feeder, `${a.code({ type: 'DL', now: NOW_SEC, flaw: 'holder-signature' }).text}\r`);
    writeTo(feeder, 'not a code\n');
    writeTo(feeder, `${world.revoked.text}\r\n`);
    await waitUntil(() => (events('scan').length === 4 ? true : undefined), '4 scans', 10_000);
    const scans = events('scan');
    expect(scans.map((s) => s.verdict)).toEqual(['accept', 'reject', 'reject', 'reject']);
    expect(scans[0]).toMatchObject({ type: 'DL', reasons: [] });
    expect(scans[1]).toMatchObject({ reasons: ['BAD_HOLDER_SIGNATURE'] });
    expect(scans[3]).toMatchObject({ type: 'DL', reasons: ['REVOKED'] });
    expect(Object.keys(scans[0]!).sort()).toEqual(['event', 'fields', 'ms', 'reasons', 'type', 'verdict']);
    const ind = events('indicator');
    for (const e of ind) {
      expect(Object.keys(e).sort()).toEqual(['buzzer', 'event', 'led', 't']);
      expect(['green', 'amber', 'red', 'off']).toContain(e.led);
      expect(['on', 'off']).toContain(e.buzzer);
    }
    expect(ind.some((e) => e.led === 'red' && e.buzzer === 'on')).toBe(true);

    child.kill('SIGTERM');
    expect(await exited()).toBe(0);
    expect(events('indicator').at(-1)).toMatchObject({ led: 'off', buzzer: 'off' });
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
    expect(stderr).not.toMatch(/at .*\.js:\d+/); // no stack trace
  });

  it('reports the scanner unplugged and back, without a restart', async () => {
    await waitUntil(() => (events('scanner').length > 0 ? true : undefined), 'scanner event', 20_000);
    await pair!.stop();
    pair = null;
    await waitUntil(() => (events('scanner').some((e) => e.state === 'closed') ? true : undefined), 'closed', 10_000);
    pair = await startPtyPair(device, feeder);
    await waitUntil(() => (events('scanner').at(-1)?.state === 'open' && events('scanner').length > 2 ? true : undefined), 'open again', 10_000);
    writeTo(feeder, `${world.authority.code({ type: 'VR', now: NOW_SEC }).text}\r\n`);
    await waitUntil(() => (events('scan').length === 1 ? true : undefined), 'scan after replug', 10_000);
    expect(events('scan')[0]).toMatchObject({ verdict: 'warn', type: 'VR' });
    child.kill('SIGINT');
    expect(await exited()).toBe(0);
  });
});
