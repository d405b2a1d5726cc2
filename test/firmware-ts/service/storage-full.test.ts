/**
 * docs/DESIGN.md, Faults: `roadscan run` over a real pseudo-terminal, its database on a 2 MB tmpfs that
 * the test fills while scans go on. Every scan must show the verdict the credential earns (never
 * MALFORMED), `/healthz` must go degraded with the reason, the failure metric must count, and once
 * space returns the service must record again by itself with nothing acknowledged lost: every
 * scan shown ends up in the audit log, exactly once.
 *
 * Mounting needs root (CI runs as root); elsewhere the test is skipped with the reason printed.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { closeSync, mkdirSync, mkdtempSync, openSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPtyPair, type PtyPair } from '../../../hal/scanner/pty-pair.js';
import { openDatabase } from '../../../firmware-ts/store/database.js';
import { createDemoWorld, syncDemoStatusList, type DemoWorld } from '../../../sim/scenarios/demo.js';
import { BIN } from '../../helpers/cli.js';
import { waitUntil, writeTo } from '../../hal/helpers/events.js';

const NOW_SEC = Date.UTC(2026, 4, 12, 2, 0, 0) / 1000;
const isRoot = process.getuid?.() === 0;
if (!isRoot) console.log('storage-full.test: skipped, mounting a 2 MB tmpfs needs root (CI runs as root)');

let dir: string;
let mnt: string;
let mounted = false;
let world: DemoWorld;
let pair: PtyPair | null = null;
let child: ChildProcess | null = null;
const events: Record<string, unknown>[] = [];
let logs = '';

beforeAll(async () => {
  if (!isRoot) return;
  dir = mkdtempSync(join(tmpdir(), 'roadscan-full-'));
  mnt = join(dir, 'mnt');
  mkdirSync(mnt);
  const m = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=2m', 'tmpfs', mnt], { encoding: 'utf8' });
  if (m.status !== 0) throw new Error(`mount: ${m.stderr}`);
  mounted = true;
  world = createDemoWorld(join(dir, 'authority'), NOW_SEC);
  const dbFile = join(mnt, 'run.db');
  const db = openDatabase(dbFile);
  try {
    (await syncDemoStatusList(world, db, dbFile)).close();
  } finally {
    db.close();
  }
  pair = await startPtyPair(join(dir, 'scanner'), join(dir, 'feeder'));
  writeFileSync(join(dir, 'config.json'), JSON.stringify({ screen: { enabled: false }, health: { enabled: true, port: 0 } }));
  child = spawn(
    process.execPath,
    [
      BIN,
      'run',
      '--hal',
      'sim',
      '--scanner',
      join(dir, 'scanner'),
      '--events',
      'json',
      '--config',
      join(dir, 'config.json'),
      '--trust',
      world.trustFile,
      '--db',
      dbFile,
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
      events.push(JSON.parse(buf.slice(0, nl)) as Record<string, unknown>);
      buf = buf.slice(nl + 1);
    }
  });
  child.stderr!.on('data', (d: Buffer) => (logs += d.toString('utf8')));
});

afterAll(async () => {
  if (child && child.exitCode === null) child.kill('SIGKILL');
  await pair?.stop();
  if (mounted) spawnSync('umount', ['-l', mnt]);
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const scans = () => events.filter((e) => e.event === 'scan');
const auditRows = (): number => {
  const db = new Database(join(mnt, 'run.db'), { readonly: true, fileMustExist: true });
  try {
    return (db.prepare('SELECT count(*) AS n FROM audit_log').get() as { n: number }).n;
  } finally {
    db.close();
  }
};
async function health(): Promise<{ status: string; problems: string[]; storage: { unwritten: number } }> {
  const url = /"url":"(http:\/\/127\.0\.0\.1:\d+\/)healthz"/.exec(logs)?.[1];
  if (!url) throw new Error(`no health endpoint in the log: ${logs}`);
  return (await fetch(`${url}healthz`)).json() as never;
}
async function metric(name: string): Promise<number> {
  const url = /"url":"(http:\/\/127\.0\.0\.1:\d+\/)healthz"/.exec(logs)![1];
  const text = await (await fetch(`${url}metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(name));
  return Number(line?.split(' ').at(-1));
}
async function scanOne(): Promise<Record<string, unknown>> {
  const n = scans().length;
  writeTo(join(dir, 'feeder'), `${world.authority.code({ type: 'DL', now: NOW_SEC }).text}\r\n`);
  await waitUntil(() => (scans().length > n ? true : undefined), `scan ${n + 1}`, 10_000);
  return scans()[n]!;
}

describe.skipIf(!isRoot)('a full disk under roadscan run', () => {
  it('shows every earned verdict, goes degraded, counts, and records again once space returns', async () => {
    await waitUntil(() => (events.some((e) => e.event === 'scanner') && /health endpoint/.test(logs) ? true : undefined), 'service up', 20_000);
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
    expect(await metric('roadscan_storage_write_failures_total{store="audit"}')).toBeGreaterThan(0);
    expect(logs).toContain('records not being written');

    // Space returns: the queued records go to disk by themselves, and recording goes on.
    rmSync(filler);
    const deadline = Date.now() + 20_000;
    while ((await health()).status !== 'ok') {
      if (Date.now() > deadline) throw new Error(`still degraded: ${JSON.stringify(await health())}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    for (let i = 0; i < 5; i++) expect((await scanOne()).verdict).toBe('accept');
    const shown = scans().length;
    await waitUntil(() => (auditRows() === shown ? true : undefined), 'every scan on record', 10_000).catch(() => {
      throw new Error(`${auditRows()} records for ${shown} scans`);
    });
    expect(scans().every((s) => s.verdict === 'accept')).toBe(true);

    child!.kill('SIGTERM');
    expect(await new Promise((r) => (child!.exitCode !== null ? r(child!.exitCode) : child!.once('exit', r)))).toBe(0);
    expect(auditRows()).toBe(shown);
    expect(logs).not.toMatch(/at .*\.js:\d+/);
  });
});
