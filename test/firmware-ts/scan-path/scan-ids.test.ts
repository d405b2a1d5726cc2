/**
 * When a scan gets an id (scan-path.ts, scansNeedIds): a roadside `roadscan verify` line keeps,
 * claims and decides nothing, so it pays for no id; every other path names every scan. Both sides
 * over real parts (the runtime over a real SQLite file, the real audit log, the real once-only
 * stage and store): a service whose audit log is off still gets an id on every scan it shows, and
 * a decision at a gate names the scan it belongs to.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildChecker, buildScanPath, chooseTrust, openCommandScanPath, openRuntime, type Runtime } from '../../../firmware-ts/app/index.js';
import { AuditLog } from '../../../firmware-ts/audit/audit-log.js';
import { OnceOnlyReports, type ScanHandled, type ScanPath } from '../../../firmware-ts/scan-path/index.js';
import { LocalOnceOnlyStore } from '../../../firmware-ts/station/local-once-only-store.js';
import { OnceOnlyStage } from '../../../firmware-ts/station/once-only-stage.js';
import { createDemoWorld, type DemoWorld } from '../../../sim/scenarios/demo.js';

const NOW_SEC = Date.UTC(2026, 4, 12, 2, 0, 0) / 1000;
const ID = /^[0-9a-f]{16}$/;
let dir: string;
let world: DemoWorld;
const closers: (() => Promise<void> | void)[] = [];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'roadscan-scan-ids-'));
  world = createDemoWorld(join(dir, 'authority'), NOW_SEC);
});
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
  rmSync(dir, { recursive: true, force: true });
});

async function runtime(profile: 'roadside' | 'gate'): Promise<Runtime> {
  const rt = await openRuntime({
    db: join(dir, `${profile}.db`),
    trust: world.trustFile,
    now: new Date(NOW_SEC * 1000).toISOString(),
    profile,
    region: '110105',
    ...(profile === 'gate' ? { station: 'S110105001' } : {}),
  });
  closers.push(() => rt.close());
  return rt;
}

/** Three scans through `path`; the `scan` events they made. */
async function scan(path: ScanPath, texts: string[]): Promise<ScanHandled[]> {
  const seen: ScanHandled[] = [];
  path.on('scan', (s) => seen.push(s));
  for (const text of texts) await path.handle(text, 'command');
  return seen;
}

const texts = () => [world.authority.code({ type: 'TK', now: NOW_SEC }).text, 'RS1:not-a-code', world.authority.code({ type: 'VR', now: NOW_SEC }).text];

describe('scan ids', () => {
  it('a roadside `roadscan verify` path keeps nothing and makes no id', async () => {
    const rt = await runtime('roadside');
    const opened = await openCommandScanPath(rt, buildChecker(rt, chooseTrust(rt, null)), { dryRun: false });
    closers.push(() => opened.close());
    const seen = await scan(opened.path, texts());
    expect(seen.map((s) => s.scanId)).toEqual([null, null, null]);
    expect(seen.map((s) => s.result.verdict)).toEqual(['reject', 'reject', 'warn']);
  });

  it('a service path with its audit log off still names every scan it shows, each differently', async () => {
    const rt = await runtime('roadside');
    const path = buildScanPath(rt, { checker: buildChecker(rt, chooseTrust(rt, null)), audit: null });
    closers.push(() => path.close());
    const ids = (await scan(path, texts())).map((s) => s.scanId);
    for (const id of ids) expect(id).toMatch(ID);
    expect(new Set(ids).size).toBe(3);
  });

  it('`when-kept` still names a scan that is recorded', async () => {
    const rt = await runtime('roadside');
    const audit = new AuditLog(rt.db, { deviceId: 'test-unit', operator: '' });
    const path = buildScanPath(rt, { checker: buildChecker(rt, chooseTrust(rt, null)), audit, scanIds: 'when-kept' });
    closers.push(() => path.close());
    const seen = await scan(path, texts());
    const rows = rt.db.prepare('SELECT scan_id FROM audit_log ORDER BY seq').all() as { scan_id: string }[];
    expect(seen.map((s) => s.scanId)).toEqual(rows.map((r) => r.scan_id));
    for (const s of seen) expect(s.scanId).toMatch(ID);
  });

  it('`when-kept` still names a scan that claims a boarding or leaves a decision, with no audit log', async () => {
    const rt = await runtime('gate');
    const stage = new OnceOnlyStage({ store: new LocalOnceOnlyStore(rt.db), profile: 'gate', device: 'gate-1' });
    const path = buildScanPath(rt, {
      checker: buildChecker(rt, chooseTrust(rt, null)),
      audit: null,
      onceOnly: { stage, reports: new OnceOnlyReports() },
      scanIds: 'when-kept',
    });
    closers.push(() => path.close());
    const decisions: (string | null)[] = [];
    path.on('decision', (d) => d.state === 'open' && decisions.push(d.scanId));
    const ticket = world.authority.code({ type: 'TK', now: NOW_SEC }).text;
    const seen = await scan(path, [ticket, ticket]);
    for (const s of seen) expect(s.scanId).toMatch(ID);
    expect(seen[1]!.result.reasons).toContain('ALREADY_BOARDED');
    // Every decision the desk opened names a scan the path reported.
    for (const id of decisions) expect(seen.map((s) => s.scanId)).toContain(id);
    expect(path.hasDesk).toBe(true);
  });

  it('a gate `roadscan verify --dry-run` (no audit log) still names its scans', async () => {
    const rt = await runtime('gate');
    const opened = await openCommandScanPath(rt, buildChecker(rt, chooseTrust(rt, null)), { dryRun: true });
    closers.push(() => opened.close());
    for (const s of await scan(opened.path, texts())) expect(s.scanId).toMatch(ID);
  });
});
