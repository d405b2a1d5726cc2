/**
 * docs/DESIGN.md, Faults: a database that disappears or fails under the running service turns
 * `/healthz` degraded with the reason, and the service goes on answering scans; a kept status list
 * damaged under it is among the problems too. Each case is a real `roadscan run` over a socat pty
 * (test/helpers/run-harness.ts) whose files the test deletes, replaces or damages while it runs.
 */
import { copyFileSync, openSync, readdirSync, renameSync, rmSync, closeSync, writeSync, fstatSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createDemoWorld } from '../../../sim/scenarios/demo.js';
import { runHarness, syncedDemoDatabase } from '../../helpers/run-harness.js';

const NOW_SEC = Date.UTC(2026, 4, 12, 2, 0, 0) / 1000;
const harness = runHarness('each');

async function startService() {
  const dir = harness.tempDir('roadscan-dbgone-');
  const world = createDemoWorld(join(dir, 'authority'), NOW_SEC);
  const dbFile = await syncedDemoDatabase(world, join(dir, 'run.db'));
  const run = await harness.start({
    dir,
    scanner: true,
    config: { health: { enabled: true, port: 0 } },
    args: ['--trust', world.trustFile, '--db', dbFile, '--now', new Date(NOW_SEC * 1000).toISOString()],
  });
  await run.nextEvent('scanner');
  await run.waitForLog(/health endpoint/);
  const scan = async (text = world.authority.code({ type: 'DL', now: NOW_SEC }).text) => {
    run.send(`${text}\r\n`);
    return run.nextEvent('scan', 10_000);
  };
  /** Polls `/healthz` until a problem matches; returns the body. */
  const degradedWith = async (pattern: RegExp) => {
    const deadline = Date.now() + 15_000;
    for (;;) {
      const h = await run.health();
      if (h.status === 'degraded' && h.problems.some((p) => pattern.test(p))) return h;
      if (Date.now() > deadline) throw new Error(`no problem matching ${pattern}: ${JSON.stringify(h)}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  return { dir, dbFile, run, scan, degradedWith, world };
}

describe('a database that fails under roadscan run', () => {
  it('deleted: health degraded with the reason, scans still answered, the metric counts, a clean stop', async () => {
    const s = await startService();
    expect((await s.scan()).verdict).toBe('accept');
    expect((await s.run.health()).status).toBe('ok');
    for (const f of [s.dbFile, `${s.dbFile}-wal`, `${s.dbFile}-shm`]) rmSync(f, { force: true });
    const h = await s.degradedWith(/^database records not written: database file .*run\.db removed under the service$/);
    expect(h.storage).toMatchObject({ ok: false });
    for (let i = 0; i < 5; i++) expect((await s.scan()).verdict).toBe('accept');
    expect(await s.run.metric('roadscan_storage_write_failures_total{store="database"}')).toBeGreaterThan(0);
    await s.run.waitForLog(/"store":"database".*records not being written/);
    expect(await s.run.stop('SIGTERM')).toBe(0);
    expect(s.run.stderr()).not.toMatch(/at .*\.js:\d+/);
  });

  it('replaced by another file: health degraded with the reason, scans still answered', async () => {
    const s = await startService();
    expect((await s.scan()).verdict).toBe('accept');
    copyFileSync(s.dbFile, join(s.dir, 'copy.db'));
    renameSync(join(s.dir, 'copy.db'), s.dbFile);
    await s.degradedWith(/^database records not written: database file .*run\.db replaced under the service$/);
    for (let i = 0; i < 3; i++) expect((await s.scan()).verdict).toBe('accept');
    expect(await s.run.stop('SIGTERM')).toBe(0);
  });

  it('its WAL deleted: health degraded with the reason', async () => {
    const s = await startService();
    expect((await s.scan()).verdict).toBe('accept');
    rmSync(`${s.dbFile}-wal`);
    // Another connection may have made a new WAL before the watch looks: either way the file under the service is not its own.
    await s.degradedWith(/run\.db-wal (removed|replaced) under the service$/);
    expect((await s.scan()).verdict).toBe('accept');
    expect(await s.run.stop('SIGTERM')).toBe(0);
  });

  it('the kept status list damaged: the scan reads it as never synced, and /healthz says why', async () => {
    const s = await startService();
    expect((await s.scan()).verdict).toBe('accept');
    const folder = `${s.dbFile}.status`;
    const snap = readdirSync(folder).find((f) => f.endsWith('.rss'));
    expect(snap).toBeDefined();
    expect((await s.scan(s.world.revoked.text)).reasons).toContain('REVOKED');
    // Flip the last byte of the snapshot (a record's status), under the running service.
    const fd = openSync(join(folder, snap!), 'r+');
    const size = fstatSync(fd).size;
    writeSync(fd, Buffer.from([0xa5]), 0, 1, size - 1);
    closeSync(fd);
    // The revoked licence is never let through on a list that can no longer be read.
    const after = await s.scan(s.world.revoked.text);
    expect(after.verdict).not.toBe('accept');
    expect(after.reasons).toContain('STATUS_LIST_STALE');
    const h = await s.degradedWith(/^status list damaged/);
    expect(h.problems).toContain('no status list');
    expect(await s.run.stop('SIGTERM')).toBe(0);
  });
});
