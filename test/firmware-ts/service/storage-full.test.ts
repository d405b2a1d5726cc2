/**
 * docs/DESIGN.md, Faults: `roadscan run` over a real pseudo-terminal, its database on a 2 MB tmpfs that
 * the test fills while scans go on. Every scan must show the verdict the credential earns (never
 * MALFORMED), `/healthz` must go degraded with the reason, the failure metric must count, and once
 * space returns the service must record again by itself with nothing acknowledged lost: every
 * scan shown ends up in the audit log, exactly once.
 *
 * Mounting needs root (CI runs as root); elsewhere the test is skipped with the reason printed.
 */
import { spawnSync } from 'node:child_process';
import { closeSync, mkdirSync, openSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { beforeAll, describe, expect, it } from 'vitest';
import { createDemoWorld, type DemoWorld } from '../../../sim/scenarios/demo.js';
import { waitUntil } from '../../hal/helpers/events.js';
import { runHarness, syncedDemoDatabase, type RunEvent, type RunningService } from '../../helpers/run-harness.js';

const NOW_SEC = Date.UTC(2026, 4, 12, 2, 0, 0) / 1000;
const isRoot = process.getuid?.() === 0;
if (!isRoot) console.log('storage-full.test: skipped, mounting a 2 MB tmpfs needs root (CI runs as root)');

const harness = runHarness('all');
let mnt: string;
let world: DemoWorld;
let run: RunningService;

beforeAll(async () => {
  if (!isRoot) return;
  const dir = harness.tempDir('roadscan-full-');
  mnt = join(dir, 'mnt');
  mkdirSync(mnt);
  const m = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=2m', 'tmpfs', mnt], { encoding: 'utf8' });
  if (m.status !== 0) throw new Error(`mount: ${m.stderr}`);
  harness.onCleanup(() => spawnSync('umount', ['-l', mnt]));
  world = createDemoWorld(join(dir, 'authority'), NOW_SEC);
  const dbFile = await syncedDemoDatabase(world, join(mnt, 'run.db'));
  run = await harness.start({
    dir,
    scanner: true,
    config: { health: { enabled: true, port: 0 } },
    args: ['--trust', world.trustFile, '--db', dbFile, '--now', new Date(NOW_SEC * 1000).toISOString()],
  });
});

const auditRows = (): number => {
  const db = new Database(join(mnt, 'run.db'), { readonly: true, fileMustExist: true });
  try {
    return (db.prepare('SELECT count(*) AS n FROM audit_log').get() as { n: number }).n;
  } finally {
    db.close();
  }
};
const health = () => run.health() as Promise<{ status: string; problems: string[]; storage: { unwritten: number } }>;
async function scanOne(): Promise<RunEvent> {
  run.send(`${world.authority.code({ type: 'DL', now: NOW_SEC }).text}\r\n`);
  return run.nextEvent('scan', 10_000);
}

describe.skipIf(!isRoot)('a full disk under roadscan run', () => {
  it('shows every earned verdict, goes degraded, counts, and records again once space returns', async () => {
    await run.nextEvent('scanner');
    await run.waitForLog(/health endpoint/);
    for (let i = 0; i < 10; i++) expect((await scanOne()).verdict).toBe('accept');
    await waitUntil(() => (auditRows() === 10 ? true : undefined), 'first records durable');

    // Fill the filesystem to the last byte.
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

    // Scans go on: each shows what the credential earns, until the disk refusal is visible.
    let degraded: Awaited<ReturnType<typeof health>> | null = null;
    for (let i = 0; i < 200 && !degraded; i++) {
      expect((await scanOne()).verdict).toBe('accept');
      const h = await health();
      if (h.status === 'degraded') degraded = h;
    }
    expect(degraded, 'health never went degraded').not.toBeNull();
    expect(degraded!.problems.some((p) => /^audit records not written: SQLITE_FULL/.test(p))).toBe(true);
    for (let i = 0; i < 10; i++) expect((await scanOne()).verdict).toBe('accept');
    expect((await health()).storage.unwritten).toBeGreaterThan(0);
    expect(await run.metric('roadscan_storage_write_failures_total{store="audit"}')).toBeGreaterThan(0);
    expect(run.stderr()).toContain('records not being written');

    // Space returns: the queued records go to disk by themselves, and recording goes on.
    rmSync(filler);
    const deadline = Date.now() + 20_000;
    while ((await health()).status !== 'ok') {
      if (Date.now() > deadline) throw new Error(`still degraded: ${JSON.stringify(await health())}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    for (let i = 0; i < 5; i++) expect((await scanOne()).verdict).toBe('accept');
    const shown = run.of('scan').length;
    await waitUntil(() => (auditRows() === shown ? true : undefined), 'every scan on record', 10_000).catch(() => {
      throw new Error(`${auditRows()} records for ${shown} scans`);
    });
    expect(run.of('scan').every((s) => s.verdict === 'accept')).toBe(true);

    expect(await run.stop('SIGTERM')).toBe(0);
    expect(auditRows()).toBe(shown);
    expect(run.stderr()).not.toMatch(/at .*\.js:\d+/);
  });
});
