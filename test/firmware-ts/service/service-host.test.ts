/**
 * The whole service as `roadscan run` builds it, in process: the simulator's own pty pair, the
 * status list store, the clock floor, the audit log, metrics, the health endpoint and the
 * operator screen on real loopback ports.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { halOptions, openRuntime, type Runtime } from '../../../firmware-ts/app/index.js';
import { createLogger } from '../../../firmware-ts/log/logger.js';
import type { ApplianceEvent } from '../../../firmware-ts/service/appliance-events.js';
import { createHal, type Hal } from '../../../hal/index.js';
import { ServiceHost } from '../../../firmware-ts/app/service-host.js';
import { createDemoWorld, syncDemoStatusList, type DemoWorld } from '../../../sim/scenarios/demo.js';
import { waitUntil, writeTo } from '../../hal/helpers/events.js';

const NOW_SEC = Date.UTC(2026, 4, 12, 2, 0, 0) / 1000;
let dir: string;
let world: DemoWorld;
let rt: Runtime;
let hal: Hal;
let host: ServiceHost | null;
let events: ApplianceEvent[];

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'roadscan-host-'));
  world = createDemoWorld(join(dir, 'authority'), NOW_SEC);
  const config = join(dir, 'config.json');
  writeFileSync(config, JSON.stringify({ screen: { enabled: true, port: 0, lang: 'en' }, health: { enabled: true, port: 0 }, log: { level: 'silent' } }));
  const common = { config, trust: world.trustFile, db: join(dir, 'host.db'), now: new Date(NOW_SEC * 1000).toISOString() };
  rt = await openRuntime(common);
  hal = await createHal(halOptions(rt.config, { hal: 'sim', scannerPath: 'pty', drawLeds: false }));
  events = [];
  host = new ServiceHost({ rt, hal, logger: createLogger(rt.config, { destination: 2 }), onEvent: (e) => events.push(e) });
});

afterEach(async () => {
  await host?.stop();
  rt.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('ServiceHost', () => {
  it('serves health, metrics and the screen, and counts the scans it answers', async () => {
    await host!.start();
    expect(host!.urls.screen).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    expect(host!.urls.health).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    writeTo(hal.ptyInput!, `${world.authority.code({ type: 'VR', now: NOW_SEC }).text}\r\n`);
    await waitUntil(() => (events.some((e) => e.event === 'scan') ? true : undefined), 'scan');

    const health = (await (await fetch(`${host!.urls.health}healthz`)).json()) as Record<string, unknown>;
    expect(health).toMatchObject({ scanner: 'open', lastScan: { verdict: 'warn' }, status: 'degraded', list: { ageSec: null, stale: true } });
    const metrics = await (await fetch(`${host!.urls.health}metrics`)).text();
    expect(metrics).toMatch(/^roadscan_scans_total\{verdict="warn"\} 1$/m);
    expect(metrics).toMatch(/^roadscan_scan_reasons_total\{reason="PAPER_REQUIRED"\} 1$/m);
    expect((await fetch(host!.urls.screen!)).status).toBe(200);
  });

  it('checks against the status list synced into its database, and reports it fresh', async () => {
    (await syncDemoStatusList(world, rt.db, rt.dbFile)).close();
    await host!.start();
    writeTo(hal.ptyInput!, `${world.revoked.text}\r\n`);
    await waitUntil(() => (events.some((e) => e.event === 'scan') ? true : undefined), 'scan');
    expect(events.find((e) => e.event === 'scan')).toMatchObject({ verdict: 'reject', type: 'DL', reasons: ['REVOKED'] });
    const health = (await (await fetch(`${host!.urls.health}healthz`)).json()) as Record<string, unknown>;
    expect(health).toMatchObject({ list: { ageSec: 300, stale: false } });
  });

  it('stop() releases the pseudo-terminal pair it made', async () => {
    await host!.start();
    const input = hal.ptyInput!;
    expect(existsSync(input)).toBe(true);
    await host!.stop();
    host = null;
    expect(existsSync(dirname(input))).toBe(false);
  });
});
