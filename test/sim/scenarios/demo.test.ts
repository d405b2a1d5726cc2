import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildChecker, chooseTrust, openRuntime, type Runtime } from '../../../firmware-ts/app/index.js';
import { scanEvent } from '../../../firmware-ts/service/appliance-events.js';

import type { StatusListStore } from '../../../firmware-ts/status/list/index.js';
import { createDemoWorld, demoScenario, syncDemoStatusList, type DemoWorld } from '../../../sim/scenarios/demo.js';
import { reasonsInWords, scanLine } from '../../../sim/scenarios/demo-lines.js';
import { runCli } from '../../helpers/cli.js';
import { defaultConfig } from '../../../firmware-ts/config/schema.js';

const DEFAULT_FEEDBACK = defaultConfig().feedback;

const NOW_SEC = Date.UTC(2026, 4, 12, 2, 0, 0) / 1000;
let dir: string;
let world: DemoWorld;
let rt: Runtime;
let status: StatusListStore;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'roadscan-demo-test-'));
  world = createDemoWorld(join(dir, 'authority'), NOW_SEC);
  rt = await openRuntime({ db: join(dir, 'demo.db'), trust: world.trustFile, now: new Date(NOW_SEC * 1000).toISOString(), profile: 'roadside', region: '110105' });
  status = await syncDemoStatusList(world, rt.db, rt.dbFile);
});
afterAll(() => {
  status.close();
  rt.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('the demo scenario', () => {
  it('shows every colour, each step getting the verdict it announces', () => {
    const steps = demoScenario(world, NOW_SEC, 100);
    const checker = buildChecker(rt, chooseTrust(rt, null), status);
    const got = steps.map((s) => checker.check(s.text.replace(/^\]Q1/, ''), rt.time()));
    expect(got.map((r) => r.verdict)).toEqual(steps.map((s) => s.expect));
    expect(new Set(got.map((r) => r.verdict))).toEqual(new Set(['accept', 'warn', 'reject']));
    expect(got.map((r) => r.reasons[0] ?? null)).toEqual([null, 'PAPER_REQUIRED', 'STALE_PRESENTATION', 'BAD_SIGNATURE', 'REVOKED', 'MALFORMED', null]);
    expect(steps[0]!.afterMs).toBeLessThan(1000);
  });

  it('prints one readable line per scan', () => {
    const checker = buildChecker(rt, chooseTrust(rt, null), status);
    const vr = checker.check(world.authority.code({ type: 'VR', now: NOW_SEC }).text, rt.time());
    expect(scanLine(scanEvent(vr), DEFAULT_FEEDBACK)).toBe(
      '[○ ● ○] ♪  WARN    VR  Paper registration must be in the vehicle  plate=京A·12345  owner=李*  inspectionUntil=2026-11-28  (amber 2 s, 2 short beeps)',
    );
    expect(reasonsInWords([])).toBe('all checks passed');
    expect(reasonsInWords(['STALE_PRESENTATION', 'STATUS_LIST_STALE'], 'zh')).toBe('动态码已失效（截图或旧码）; 状态列表已过期，可能缺少吊销信息');
  });
});

describe('the demo status list', () => {
  it('is published, served and synced for real: seq 1, signed 5 minutes before now, the revoked licence listed', () => {
    expect(status.seq()).toBe(1);
    expect(status.entries()).toBe(1);
    expect(status.listIat()).toBe(NOW_SEC - 300);
    expect(status.problem()).toBeNull();
    expect(status.statusOf(Buffer.from(world.revoked.statusKey, 'hex'))).toBe(1);
    expect(status.statusOf(Buffer.alloc(16))).toBe(0);
    expect(existsSync(join(world.publishedDir, 'manifest.cose'))).toBe(true);
  });

  it('a sync that is refused throws its one-line reason and leaves the database unsynced', async () => {
    const broken = createDemoWorld(join(dir, 'broken'), NOW_SEC);
    writeFileSync(join(broken.publishedDir, 'manifest.cose'), 'not a signed manifest');
    const other = await openRuntime({ db: join(dir, 'broken.db'), trust: broken.trustFile });
    try {
      const err = await syncDemoStatusList(broken, other.db, other.dbFile).catch((e: unknown) => e as Error);
      expect(err).toBeInstanceOf(Error);
      expect((err as Error).message).toMatch(/^demo status list: [^\n]+$/);
      expect(other.db.prepare('SELECT seq FROM status_state WHERE id = 1').get()).toEqual({ seq: null });
    } finally {
      other.close();
    }
  });
});

describe('npm start (roadscan demo) without a terminal', () => {
  it('plays the scenario, one line per scan, and exits 0', async () => {
    // Its own free ports (0): the default 8480 and 9464 may be held by another test's demo or service
    // running at the same time, and the demo would then say so on standard error.
    const ports = join(dir, 'own-ports.json');
    writeFileSync(ports, JSON.stringify({ screen: { port: 0 }, health: { port: 0 } }));
    const res = await runCli(['demo', '--gap', '50', '--config', ports], { timeoutMs: 60_000 });
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    const verdictLines = res.stdout.split('\n').filter((l) => /^\s+\[[●○ ]+\]/.test(l));
    expect(verdictLines.map((l) => l.match(/(ACCEPT|WARN|REJECT)/)![1])).toEqual(['ACCEPT', 'WARN', 'REJECT', 'REJECT', 'REJECT', 'REJECT', 'ACCEPT']);
    expect(res.stdout).toContain('7 scans, 7 audit records');
    expect(res.stdout).toMatch(/^Status list synced: seq 1, 1 entry \(the revoked licence\), signed 5 min ago, from http:\/\/127\.0\.0\.1:\d+\/$/m);
    expect(res.stdout).toMatch(/^Operator screen: http:\/\/127\.0\.0\.1:\d+\/#k=[A-Za-z0-9_-]{43} \(open it in a browser beside this terminal\)$/m);
    expect(res.stdout).not.toMatch(/\x1b\[/); // no colours when not a terminal
  });
});
