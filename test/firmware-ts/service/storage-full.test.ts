/**
 * docs/DESIGN.md, Faults: `roadscan run` over a real pseudo-terminal, its database on a 2 MB tmpfs that
 * the test fills while scans go on. Every scan must show the verdict the credential earns (never
 * MALFORMED), `/healthz` must go degraded with the reason, the failure metric must count, and once
 * space returns the service must record again by itself with nothing acknowledged lost: every
 * scan shown ends up in the audit log, exactly once. At a gate the same holds for the boardings
 * (written behind the answer, in the audit writer's commits): a ticket that boarded while the disk
 * refused the record is still ALREADY_BOARDED on its next scan, the fault says `boarding`, and
 * every boarding is on record once space returns.
 *
 * Mounting needs root (CI runs as root); elsewhere the test is skipped with the reason printed.
 */
import { spawnSync } from 'node:child_process';
import { closeSync, mkdirSync, openSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { createDemoWorld, type DemoWorld } from '../../../sim/scenarios/demo.js';
import { waitUntil } from '../../hal/helpers/events.js';
import { runHarness, syncedDemoDatabase, type RunEvent, type RunningService } from '../../helpers/run-harness.js';

const isRoot = process.getuid?.() === 0;
if (!isRoot) console.log('storage-full.test: skipped, mounting a 2 MB tmpfs needs root (CI runs as root)');

const harness = runHarness('each');

/** A roadside unit (driving licences, accept) and a gate (tickets, warn CHECK_ID, each boarding claimed). */
const PLACES = {
  roadside: { nowSec: Date.UTC(2026, 4, 12, 2, 0, 0) / 1000, type: 'DL', args: [], earned: { verdict: 'accept', reasons: [] } },
  gate: {
    nowSec: Date.parse('2026-11-20T10:00:00+08:00') / 1000,
    type: 'TK',
    args: ['--profile', 'gate', '--station', 'S110105001'],
    earned: { verdict: 'warn', reasons: ['CHECK_ID'] },
  },
} as const;
type PlaceName = keyof typeof PLACES;

interface FullDiskRun {
  run: RunningService;
  world: DemoWorld;
  mnt: string;
  count(sql: string): number;
  health(): Promise<{ status: string; problems: string[]; storage: { unwritten: number } }>;
  scan(text?: string): Promise<RunEvent>;
  code(): string;
}

/** A 2 MB tmpfs with a synced database on it, and `roadscan run` at that place over a pty. */
async function startOnSmallDisk(place: PlaceName): Promise<FullDiskRun> {
  const p = PLACES[place];
  const dir = harness.tempDir('roadscan-full-');
  const mnt = join(dir, 'mnt');
  mkdirSync(mnt);
  const m = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=2m', 'tmpfs', mnt], { encoding: 'utf8' });
  if (m.status !== 0) throw new Error(`mount: ${m.stderr}`);
  harness.onCleanup(() => spawnSync('umount', ['-l', mnt]));
  const world = createDemoWorld(join(dir, 'authority'), p.nowSec);
  const dbFile = await syncedDemoDatabase(world, join(mnt, 'run.db'));
  const run = await harness.start({
    dir,
    scanner: true,
    config: { device: { id: `${place}-1`, operator: '' }, health: { enabled: true, port: 0 } },
    args: ['--trust', world.trustFile, '--db', dbFile, '--now', new Date(p.nowSec * 1000).toISOString(), ...p.args],
  });
  const code = () => world.authority.code({ type: p.type, now: p.nowSec }).text;
  return {
    run,
    world,
    mnt,
    code,
    count(sql) {
      const db = new Database(join(mnt, 'run.db'), { readonly: true, fileMustExist: true });
      try {
        return (db.prepare(sql).get() as { n: number }).n;
      } finally {
        db.close();
      }
    },
    health: () => run.health() as never,
    async scan(text = code()) {
      run.send(`${text}\r\n`);
      return run.nextEvent('scan', 10_000);
    },
  };
}

/** Fills the filesystem to the last byte; returns the filler's path. */
function fill(mnt: string): string {
  const filler = join(mnt, 'filler');
  const fd = openSync(filler, 'w');
  for (const size of [65536, 4096, 512, 1]) {
    const chunk = Buffer.alloc(size, 0x55);
    try {
      for (let i = 0; i < 10_000; i++) writeSync(fd, chunk);
    } catch {
      // ENOSPC: on to a smaller chunk.
    }
  }
  closeSync(fd);
  return filler;
}

const SCAN_ROWS = 'SELECT count(*) AS n FROM audit_log WHERE action IS NULL';

describe.skipIf(!isRoot)('a full disk under roadscan run', () => {
  it.each(['roadside', 'gate'] as const)('%s: shows every earned verdict, goes degraded, counts, and records again once space returns', async (place) => {
    const { earned } = PLACES[place];
    const t = await startOnSmallDisk(place);
    const { run } = t;
    const expectEarned = (e: RunEvent) => expect({ verdict: e.verdict, reasons: e.reasons }).toEqual(earned);
    await run.nextEvent('scanner');
    await run.waitForLog(/health endpoint/);
    for (let i = 0; i < 10; i++) expectEarned(await t.scan());
    await waitUntil(() => (t.count(SCAN_ROWS) === 10 ? true : undefined), 'first records durable');

    const filler = fill(t.mnt);

    // Scans go on: each shows what the credential earns, until the disk refusal is visible.
    let degraded: Awaited<ReturnType<typeof t.health>> | null = null;
    for (let i = 0; i < 200 && !degraded; i++) {
      expectEarned(await t.scan());
      const h = await t.health();
      if (h.status === 'degraded') degraded = h;
    }
    expect(degraded, 'health never went degraded').not.toBeNull();
    const problems = async () => (await t.health()).problems;
    expect(degraded!.problems.some((p) => /^(audit|boarding) records not written: SQLITE_FULL/.test(p))).toBe(true);
    const duringFault = t.code();
    expectEarned(await t.scan(duringFault));
    for (let i = 0; i < 10; i++) expectEarned(await t.scan());
    expect((await t.health()).storage.unwritten).toBeGreaterThan(0);
    expect(await run.metric('roadscan_storage_write_failures_total{store="audit"}')).toBeGreaterThan(0);
    expect(run.stderr()).toContain('records not being written');
    if (place === 'gate') {
      // The boarding made while the disk refused it still holds: the ticket cannot board twice.
      expect(await t.scan(duringFault)).toMatchObject({ verdict: 'reject', reasons: ['ALREADY_BOARDED', 'CHECK_ID'] });
      expect(await problems()).toContainEqual(expect.stringMatching(/^boarding records not written: SQLITE_FULL/));
      expect(await run.metric('roadscan_storage_write_failures_total{store="boarding"}')).toBeGreaterThan(0);
    }

    // Space returns: the queued records go to disk by themselves, and recording goes on.
    rmSync(filler);
    const deadline = Date.now() + 20_000;
    while ((await t.health()).status !== 'ok') {
      if (Date.now() > deadline) throw new Error(`still degraded: ${JSON.stringify(await t.health())}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    for (let i = 0; i < 5; i++) expectEarned(await t.scan());
    const shown = run.of('scan').length;
    await waitUntil(() => (t.count(SCAN_ROWS) === shown ? true : undefined), 'every scan on record', 10_000).catch(() => {
      throw new Error(`${t.count(SCAN_ROWS)} records for ${shown} scans`);
    });
    const scans = run.of('scan');
    expect(scans.filter((s) => s.verdict !== earned.verdict)).toHaveLength(place === 'gate' ? 1 : 0);
    expect(scans.some((s) => (s.reasons as string[]).includes('MALFORMED'))).toBe(false);

    expect(await run.stop('SIGTERM')).toBe(0);
    expect(t.count(SCAN_ROWS)).toBe(shown);
    // Every ticket that boarded is on record once, the one refused as ALREADY_BOARDED not again.
    if (place === 'gate') expect(t.count("SELECT count(*) AS n FROM once_only WHERE action = 'boarded'")).toBe(shown - 1);
    expect(run.stderr()).not.toMatch(/at .*\.js:\d+/);
  });
});
