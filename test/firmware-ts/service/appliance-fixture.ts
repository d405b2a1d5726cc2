/**
 * An appliance built from real parts for tests: a socat pty pair opened by the real serial
 * driver, the scan path from app/ with the real checker from the runtime over the demo's status
 * list (served on loopback and synced by the real sync), the real audit log in a temp SQLite file,
 * and the simulated indicator (its timing is the real pattern player's). Its events are the
 * `--events json` lines, subscribed as the service host subscribes them.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AuditLog } from '../../../firmware-ts/audit/audit-log.js';
import type { AuditSink } from '../../../firmware-ts/audit/audit-log.js';
import { buildChecker, buildScanPath, chooseTrust, openRuntime, type Runtime } from '../../../firmware-ts/app/index.js';
import { storageOutput } from '../../../firmware-ts/app/storage-output.js';
import type { PathLogger, ScanPath } from '../../../firmware-ts/scan-path/index.js';
import { Appliance } from '../../../firmware-ts/service/appliance.js';
import { deviceEventLines, pathEventLines, type ApplianceEvent } from '../../../firmware-ts/service/appliance-events.js';
import type { StorageHealth } from '../../../firmware-ts/store/storage-health.js';
import { SimIndicator } from '../../../hal/indicator/sim-indicator.js';
import { startPtyPair, type PtyPair } from '../../../hal/scanner/pty-pair.js';
import { SerialScanner } from '../../../hal/scanner/serial-scanner.js';
import type { StatusListStore } from '../../../firmware-ts/status/list/index.js';
import { createDemoWorld, syncDemoStatusList, type DemoWorld } from '../../../sim/scenarios/demo.js';

export const NOW_SEC = Date.UTC(2026, 4, 12, 2, 0, 0) / 1000;

export interface Fixture {
  dir: string;
  world: DemoWorld;
  rt: Runtime;
  /** The demo's status list, synced into the fixture's database by the real sync. */
  status: StatusListStore;
  pair: PtyPair | null;
  appliance: Appliance;
  path: ScanPath;
  events: ApplianceEvent[];
  auditCount(): number;
  replug(): Promise<void>;
  unplug(): Promise<void>;
  close(): Promise<void>;
}

export interface FixtureOptions {
  /** Where the records go (default: the real audit log in the fixture's database). */
  audit?: AuditSink;
  storage?: StorageHealth;
  listStale?: () => boolean;
  logger?: PathLogger;
  /** Told of every event line, after the fixture's own list. */
  onEvent?: (e: ApplianceEvent) => void;
}

export async function buildFixture(over: FixtureOptions = {}): Promise<Fixture> {
  const dir = mkdtempSync(join(tmpdir(), 'roadscan-appliance-'));
  const world = createDemoWorld(join(dir, 'authority'), NOW_SEC);
  const rt = await openRuntime({ db: join(dir, 'scan.db'), trust: world.trustFile, now: new Date(NOW_SEC * 1000).toISOString(), profile: 'roadside', region: '110105' });
  const status = await syncDemoStatusList(world, rt.db, rt.dbFile);
  const checker = buildChecker(rt, chooseTrust(rt, null), status);
  const audit = new AuditLog(rt.db, { deviceId: 'test-unit', operator: '' });
  const device = join(dir, 'scanner');
  const feeder = join(dir, 'feeder');
  const fx: Fixture = {
    dir,
    world,
    rt,
    status,
    pair: await startPtyPair(device, feeder),
    appliance: null as unknown as Appliance,
    path: null as unknown as ScanPath,
    events: [],
    auditCount: () => (rt.db.prepare('SELECT count(*) AS n FROM audit_log').get() as { n: number }).n,
    async unplug() {
      await fx.pair?.stop();
      fx.pair = null;
    },
    async replug() {
      fx.pair = await startPtyPair(device, feeder);
    },
    async close() {
      await fx.appliance.stop();
      await fx.path.close();
      await fx.pair?.stop();
      status.close();
      rt.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  const scanner = new SerialScanner({
    path: device,
    baudRate: 9600,
    terminator: 'auto',
    maxFrameLength: 4400,
    idleResetMs: 1000,
    reconnect: { initialMs: 20, maxMs: 100, factor: 2 },
  });
  fx.path = buildScanPath(rt, { checker, audit: over.audit ?? audit, ...(over.logger ? { logger: over.logger } : {}) });
  const onEvent = (e: ApplianceEvent) => {
    fx.events.push(e);
    over.onEvent?.(e);
  };
  pathEventLines(fx.path, onEvent);
  fx.appliance = new Appliance({
    scanner,
    indicator: new SimIndicator(),
    feedback: rt.config.feedback,
    path: fx.path,
    ...(over.storage ? { storage: over.storage } : {}),
    ...(over.listStale ? { listStale: over.listStale } : {}),
    ...(over.logger ? { logger: over.logger } : {}),
  });
  deviceEventLines(fx.appliance, onEvent);
  if (over.storage) storageOutput(fx.path, over.storage);
  return fx;
}
