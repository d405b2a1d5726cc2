/**
 * The operator page's decisions in a real headless Chromium, over a real ScreenServer, the real
 * checker, scan path (once-only step, operator desk) and SQLite store: the refuse button undoes a boarding so
 * the next scan of that ticket boards; a voucher swap confirmed once is VOUCHER_ISSUED the second
 * time; the buttons show only while a decision is pending; a lost scanner fills the main area in
 * the verdicts' large type; the status strip keeps a contrast of at least 7:1.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { shippedChecker } from '../../../firmware-ts/app/shipped-checker.js';
import { ScreenServer, type ScreenRefusal } from '../../../firmware-ts/screen/screen-server.js';
import type { ScreenStatus } from '../../../firmware-ts/screen/screen-view.js';
import { screenOutput } from '../../../firmware-ts/screen/screen-output.js';
import { OnceOnlyReports, ScanPath } from '../../../firmware-ts/scan-path/index.js';
import { LocalOnceOnlyStore } from '../../../firmware-ts/station/local-once-only-store.js';
import { OnceOnlyStage } from '../../../firmware-ts/station/once-only-stage.js';
import { openDatabase } from '../../../firmware-ts/store/database.js';
import { AuditLog } from '../../../firmware-ts/audit/audit-log.js';
import { launchHeadlessChromium } from '../../../scripts/harness/headless-chromium.js';
import { TestAuthority } from '../../../sim/authority/test-authority.js';
import { NOW, STATION } from '../../helpers/reason-cases.js';
import { SseClient } from './sse-client.js';

// The page callbacks run in the browser; the test project compiles without DOM types.
/* eslint-disable @typescript-eslint/no-explicit-any */
declare const getComputedStyle: any;
type HTMLElement = any;
type Element = any;

let browser: Browser;
let dir: string;
const stops: (() => Promise<void> | void)[] = [];
beforeAll(async () => {
  browser = await launchHeadlessChromium();
  dir = mkdtempSync(join(tmpdir(), 'roadscan-screen-decisions-'));
});
afterAll(async () => {
  await browser?.close();
  rmSync(dir, { recursive: true, force: true });
});
afterEach(async () => {
  for (const stop of stops.splice(0)) await stop();
});

const authority = TestAuthority.create();
const STATUS: ScreenStatus = {
  scanner: 'open',
  listAgeSec: 60,
  listStale: false,
  clock: 'ok',
  profile: 'gate',
  region: '110105',
  station: STATION,
  pendingUploads: 0,
} as ScreenStatus;

async function rig(profile: 'gate' | 'window') {
  const db = openDatabase(join(dir, `${profile}-${Date.now()}.db`));
  const audit = new AuditLog(db, { deviceId: `${profile}-1`, operator: '' });
  const checker = shippedChecker({ trust: authority.trustList(), profile, region: '110105', station: STATION });
  const stage = new OnceOnlyStage({ store: new LocalOnceOnlyStore(db), profile, device: `${profile}-1` });
  const place = { profile, region: '110105', station: STATION };
  let path!: ScanPath;
  const refusals: ScreenRefusal[] = [];
  const screen = new ScreenServer({
    onRefused: (r) => refusals.push(r),
    host: '127.0.0.1',
    port: 0,
    lang: 'en',
    clearAfterSec: 30,
    history: 3,
    onAction: async ({ scanId, action }) => ((await path.act(action, 'screen', scanId)) ? 'done' : 'stale'),
  });
  path = new ScanPath({ checker, time: () => ({ nowSec: NOW, reliable: true }), audit, place, onceOnly: { stage, reports: new OnceOnlyReports() }, lapseMs: 30_000 });
  screenOutput(path, screen);
  await screen.start();
  const url = screen.kioskUrl!;
  screen.publishStatus({ ...STATUS, profile });
  stops.push(
    () => path.close(),
    () => screen.stop(),
    () => {
      db.close();
    },
  );
  const page = await browser.newPage({ viewport: { width: 480, height: 800 } });
  stops.push(() => page.close());
  await page.goto(url);
  await page.waitForSelector('body[data-link="up"]');
  let seq = 0;
  const scan = async (text: string) => {
    const result = await path.handle(text, 'device');
    await page.waitForSelector(`#scan[data-seq="${++seq}"]`);
    return result;
  };
  return { page, scan, audit, screen, refusals };
}

const codes = (page: Page) => page.$$eval('#reasons li', (lis) => lis.map((li) => (li as HTMLElement).dataset.code));
const buttonsShown = (page: Page) => page.$eval('#decision', (d) => !(d as HTMLElement).hidden && (d as HTMLElement).offsetHeight > 0);

describe('operator page decisions', () => {
  it('refuse undoes a boarding: the next scan of the ticket boards', async () => {
    const { page, scan, audit } = await rig('gate');
    expect(await buttonsShown(page)).toBe(false);
    const ticket = authority.code({ type: 'TK', now: NOW }).text;
    await scan(ticket);
    await page.waitForSelector('#decision:not([hidden])');
    expect(await codes(page)).toEqual(['CHECK_ID', 'STATUS_LIST_STALE']);
    await page.click('#refuse');
    await page.waitForSelector('#outcome:not([hidden])');
    expect(await page.textContent('#outcome')).toContain('boarding undone');
    expect(await buttonsShown(page)).toBe(false);
    await scan(ticket);
    expect(await codes(page)).toEqual(['CHECK_ID', 'STATUS_LIST_STALE']);
    await page.waitForSelector('#decision:not([hidden])');
    await page.click('#confirm');
    await page.waitForSelector('#outcome:not([hidden])');
    await scan(ticket);
    expect(await codes(page)).toEqual(['ALREADY_BOARDED', 'CHECK_ID', 'STATUS_LIST_STALE']);
    expect(await buttonsShown(page)).toBe(false);
    expect([...audit.export(0)].map((r) => r.action?.result ?? null)).toEqual([null, 'boarding-undone', null, 'boarding-kept', null]);
  });

  it('a voucher swap confirmed once is VOUCHER_ISSUED the second time', async () => {
    const { page, scan } = await rig('window');
    const ticket = authority.code({ type: 'TK', now: NOW }).text;
    await scan(ticket);
    await page.waitForSelector('#decision:not([hidden])');
    await page.click('#confirm');
    await page.waitForSelector('#outcome[data-level="ok"]');
    const second = await scan(ticket);
    expect(second.verdict).toBe('reject');
    expect(await codes(page)).toEqual(['VOUCHER_ISSUED', 'CHECK_ID', 'STATUS_LIST_STALE']);
    expect(await buttonsShown(page)).toBe(false);
  });

  it('a request from another origin, or without the page token, is refused', async () => {
    const { page, scan } = await rig('gate');
    await scan(authority.code({ type: 'TK', now: NOW }).text);
    await page.waitForSelector('#decision:not([hidden])');
    const scanId = await page.$eval('#decision', (d) => (d as HTMLElement).dataset.scanId);
    const status = await page.evaluate(async (id) => {
      const r = await fetch('/action', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ scanId: id, action: 'refuse' }) });
      return r.status;
    }, scanId);
    expect(status).toBe(403);
    expect(await buttonsShown(page)).toBe(true);
  });

  it('a local process that is not the kiosk page is refused on /action and /clear, and logged; the kiosk page confirms and clears', async () => {
    const { page, scan, audit, screen, refusals } = await rig('gate');
    await scan(authority.code({ type: 'TK', now: NOW }).text);
    await page.waitForSelector('#decision:not([hidden])');
    // The other process: reads the event stream like a page (its token, the scan id) and forges Origin.
    const base = screen.url!;
    const sse = await SseClient.open(base);
    const hello = (await sse.nth('hello')) as { token: string };
    const pending = (await sse.nth('decision')) as { scanId: string };
    expect(pending.scanId).toMatch(/.+/);
    const origin = base.replace(/\/$/, '');
    const forged = { origin, 'x-roadscan-token': hello.token, 'content-type': 'application/json' };
    const tries: { path: string; headers: Record<string, string> }[] = [
      { path: 'action', headers: forged },
      { path: 'action', headers: { ...forged, 'x-roadscan-kiosk': 'A'.repeat(43) } },
      { path: 'clear', headers: { origin, 'x-roadscan-token': hello.token, 'x-roadscan-screen': 'clear' } },
      { path: 'clear', headers: { origin, 'x-roadscan-token': hello.token, 'x-roadscan-screen': 'clear', 'x-roadscan-kiosk': 'short' } },
    ];
    for (const t of tries) {
      const res = await fetch(new URL(t.path, base), { method: 'POST', headers: t.headers, body: JSON.stringify({ scanId: pending.scanId, action: 'confirm' }) });
      expect(res.status, t.path).toBe(403);
      expect(await res.text()).toBe('forbidden (kiosk)\n');
    }
    sse.close();
    // Logged once per request, with the peer and its port, never a secret.
    expect(refusals.map((r) => [r.path, r.reason])).toEqual([
      ['/action', 'kiosk'],
      ['/action', 'kiosk'],
      ['/clear', 'kiosk'],
      ['/clear', 'kiosk'],
    ]);
    for (const r of refusals) {
      expect(r.peer).toMatch(/^(127\.0\.0\.1|::ffff:127\.0\.0\.1)$/);
      expect(r.port).toBeGreaterThan(0);
    }
    expect(JSON.stringify(refusals)).not.toContain(new URL(screen.kioskUrl!).hash.slice(3));
    // Still pending, the scan still shown, nothing recorded.
    expect(screen.pendingDecision?.scanId).toBe(pending.scanId);
    expect(await buttonsShown(page)).toBe(true);
    expect([...audit.export(0)].map((r) => r.action ?? null)).toEqual([null]);
    // The page took the secret out of its address bar.
    expect(await page.evaluate(() => (globalThis as any).location.href)).toBe(base);
    // The kiosk page itself: confirm works and is recorded with source `screen`; Clear works.
    await page.click('#confirm');
    await page.waitForSelector('#outcome:not([hidden])');
    expect([...audit.export(0)].map((r) => r.action ?? null)).toEqual([null, { action: 'confirm', source: 'screen', result: 'boarding-kept' }]);
    const cleared = SseClient.open(base);
    const watcher = await cleared;
    await watcher.nth('hello');
    await page.click('#clear');
    expect(await watcher.nth('clear')).toMatchObject({ seq: 1 });
    watcher.close();
    expect(refusals).toHaveLength(4);
  });
});

/** WCAG contrast of two `rgb(...)` colours. */
function contrast(a: string, b: string): number {
  const lum = (c: string) => {
    const [r, g, bl] = c
      .match(/\d+(\.\d+)?/g)!
      .slice(0, 3)
      .map(Number)
      .map((v) => {
        const s = v / 255;
        return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
      });
    return 0.2126 * r! + 0.7152 * g! + 0.0722 * bl!;
  };
  const [hi, lo] = [lum(a), lum(b)].sort((x, y) => y - x);
  return (hi! + 0.05) / (lo! + 0.05);
}

describe('operator page never misleads', () => {
  it('a lost scanner fills the main area in the verdicts\' large type, never "Ready to scan"', async () => {
    const screen = new ScreenServer({ host: '127.0.0.1', port: 0, lang: 'en', clearAfterSec: 30, history: 3 });
    stops.push(() => screen.stop());
    const { url } = await screen.start();
    const page = await browser.newPage({ viewport: { width: 480, height: 800 } });
    stops.push(() => page.close());
    await page.goto(url);
    await page.waitForSelector('body[data-link="up"]');
    screen.publishStatus({ ...STATUS, scanner: 'closed' });
    await page.waitForSelector('#scan[data-verdict="lost"]');
    const word = await page.textContent('#word');
    expect(word).toBe('NO SCANNER');
    expect(await page.textContent('#scan')).not.toContain('Ready to scan');
    const size = await page.$eval('#word', (w) => parseFloat(getComputedStyle(w).fontSize));
    expect(size).toBeGreaterThanOrEqual(64);
    screen.publishStatus(STATUS);
    await page.waitForSelector('#scan[data-verdict="idle"]');
    expect(await page.textContent('#word')).toBe('Ready to scan');
  });

  it('every text of the status strip keeps a contrast of at least 7:1', async () => {
    const screen = new ScreenServer({ host: '127.0.0.1', port: 0, lang: 'en', clearAfterSec: 30, history: 3 });
    stops.push(() => screen.stop());
    const { url } = await screen.start();
    const page = await browser.newPage({ viewport: { width: 800, height: 480 } });
    stops.push(() => page.close());
    await page.goto(url);
    await page.waitForSelector('body[data-link="up"]');
    // One chip of every level: bad (scanner), warn (list never synced), ok (clock), and the facts.
    screen.publishStatus({ ...STATUS, scanner: 'error', listAgeSec: null, listStale: true });
    await page.waitForSelector('#status .chip[data-level="bad"]');
    const pairs = (await page.$$eval('#status .chip, #status .chip *, #status .fact *', (els) =>
      els.flatMap((el) => {
        const bgOf = (n: Element | null): string => {
          for (let e = n; e; e = e.parentElement) {
            const bg = getComputedStyle(e).backgroundColor;
            if (bg !== 'rgba(0, 0, 0, 0)' && bg !== 'transparent') return bg;
          }
          return 'rgb(255, 255, 255)';
        };
        const out: string[][] = [];
        if (el.childNodes.length && [...el.childNodes].some((c) => c.nodeType === 3 && c.textContent!.trim())) out.push([getComputedStyle(el).color, bgOf(el)]);
        const before = getComputedStyle(el, '::before');
        if (before.content && before.content !== 'none' && before.content !== 'normal') out.push([before.color, bgOf(el)]);
        return out;
      }),
    )) as string[][];
    expect(pairs.length).toBeGreaterThan(5);
    for (const [fg, bg] of pairs) expect(contrast(fg!, bg!), `${fg} on ${bg}`).toBeGreaterThanOrEqual(7);
  });
});
