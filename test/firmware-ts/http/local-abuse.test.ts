/**
 * The operator screen and the health endpoint under abuse from another local process: 2,000 event
 * streams opened and held, and 100 clients trickling their request headers a byte at a time, all
 * on 127.0.0.1 from a child process. The kiosk page, in a real headless Chromium, must still load
 * and show the next verdict; the health endpoint must still answer; the slow clients must be cut
 * off within the header timeout; the screen must never hold more streams than its cap.
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HealthServer } from '../../../firmware-ts/health/health-server.js';
import { HEADERS_TIMEOUT_MS } from '../../../firmware-ts/http/local-server.js';
import { ScanMetrics } from '../../../firmware-ts/health/scan-metrics.js';
import { ScreenServer } from '../../../firmware-ts/screen/screen-server.js';
import { launchHeadlessChromium } from '../../../scripts/harness/headless-chromium.js';
import { SAMPLE_AT_SEC, SAMPLE_SCANS } from '../../../scripts/harness/screen-samples.js';
import { httpExchange } from '../screen/sse-client.js';

const ABUSER = fileURLToPath(new URL('./local-abuser.mjs', import.meta.url));
const STREAMS = 2000;
const SLOW = 100;

let browser: Browser;
let screen: ScreenServer;
let health: HealthServer;
let screenUrl: string;
let healthUrl: string;

beforeAll(async () => {
  browser = await launchHeadlessChromium();
  screen = new ScreenServer({ host: '127.0.0.1', port: 0, lang: 'en', clearAfterSec: 30, history: 3 });
  screenUrl = (await screen.start()).url;
  health = new HealthServer({
    port: 0,
    metrics: new ScanMetrics({ processMetrics: false }),
    state: () => ({ scanner: 'open', list: { seq: 1, entries: 0, ageSec: 60, stale: false }, clock: { state: 'ok', floor: '2026-11-20T00:00:00.000Z' }, lastScan: null }),
  });
  const at = await health.start();
  healthUrl = `http://127.0.0.1:${at.port}/`;
});
afterAll(async () => {
  await browser?.close();
  await screen?.stop();
  await health?.stop();
});

describe('local servers under abuse', () => {
  it('keep serving the kiosk page and the health endpoint', async () => {
    const child = spawn(process.execPath, [ABUSER, new URL(screenUrl).port, new URL(healthUrl).port, String(STREAMS), String(SLOW), '20000'], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
    const next = async (): Promise<Record<string, number | string>> => JSON.parse((await lines.next()).value as string);
    try {
      const streams = await next();
      expect(streams.phase).toBe('streams');
      // Every stream got in; all but the newest few were let go, told why.
      expect(streams.opened).toBe(STREAMS);
      expect(streams.stillOpen).toBeLessThanOrEqual(8);
      expect(streams.toldBye).toBeGreaterThanOrEqual(STREAMS - 8);
      expect(screen.clients).toBeLessThanOrEqual(8);
      // The slow clients are still trickling: the kiosk page loads regardless.
      expect(streams.slowOpen).toBe(SLOW);

      const page = await browser.newPage({ viewport: { width: 480, height: 800 } });
      await page.goto(screenUrl);
      await page.waitForSelector('body[data-link="up"]', { timeout: 10_000 });
      screen.publishScan(SAMPLE_SCANS.accept, { atSec: SAMPLE_AT_SEC, profile: 'roadside' });
      await page.waitForSelector('#scan[data-seq="1"][data-verdict="accept"]', { timeout: 5_000 });

      const port = new URL(healthUrl).port;
      const ok = await httpExchange(healthUrl, { path: '/healthz', headers: { host: `127.0.0.1:${port}` } });
      expect(ok.status).toBe(200);
      expect(JSON.parse(ok.body).status).toBe('ok');

      const slow = await next();
      expect(slow.phase).toBe('slow');
      expect(slow.open).toBe(0);
      // Cut off by the header timeout (checked every second), not Node's default minute.
      expect(slow.longestMs).toBeLessThan(HEADERS_TIMEOUT_MS + 3000);
      await page.close();
    } finally {
      child.kill();
    }
  });

  it('the health endpoint answers only loopback host names (DNS rebinding)', async () => {
    const port = new URL(healthUrl).port;
    expect((await httpExchange(healthUrl, { path: '/healthz', headers: { host: `rebind.example:${port}` } })).status).toBe(403);
    expect((await httpExchange(healthUrl, { path: '/metrics', headers: { host: `127.0.0.1:1` } })).status).toBe(403);
    expect((await httpExchange(healthUrl, { path: '/healthz', headers: { host: `localhost:${port}` } })).status).toBe(200);
  });
});
