/**
 * The operator page fits the Pi's 800x480 touch display (and a 1280x720 one) in every state, in a
 * real headless Chromium over a real ScreenServer: a window decision with long fields, a reject
 * with many reasons. The verdict, the decision buttons and Clear are always inside the viewport,
 * and reasons or fields that do not fit carry a visible sign. When the service goes away, the
 * whole page says so within 2 s and no button can act. Screenshots go to $ROADSCAN_SHOTS when set.
 */
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ScreenServer } from '../../../firmware-ts/screen/screen-server.js';
import type { ScreenScan } from '../../../firmware-ts/screen/screen-view.js';
import { launchHeadlessChromium } from '../../../scripts/harness/headless-chromium.js';
import { SAMPLE_AT_SEC, SAMPLE_SCANS, SAMPLE_STATUS } from '../../../scripts/harness/screen-samples.js';
import { inPage } from './page-probe.js';

const VIEWPORTS = [
  { width: 800, height: 480 },
  { width: 1280, height: 720 },
] as const;

const LONG = '乌鲁木齐市天山区长途汽车客运站东广场三号候车厅南侧第十二检票口';
const MANY_REASONS: ScreenScan = {
  ...SAMPLE_SCANS.reject,
  reasons: ['REVOKED', 'EXPIRED', 'WRONG_STATION', 'OUTSIDE_BOARDING_WINDOW', 'CHECK_ID', 'CALENDAR_UNKNOWN'],
  fields: { ...SAMPLE_SCANS.reject.fields, from: LONG, to: LONG, name: '欧阳*德' },
} as ScreenScan;
const WINDOW_TICKET: ScreenScan = { ...SAMPLE_SCANS.reject, verdict: 'warn', reasons: ['CHECK_ID'], fields: { ...SAMPLE_SCANS.reject.fields, to: LONG } } as ScreenScan;

let browser: Browser;
const servers: ScreenServer[] = [];
beforeAll(async () => {
  browser = await launchHeadlessChromium();
});
afterAll(async () => {
  await browser?.close();
});
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.stop()));
  await Promise.all(browser.contexts().map((c) => c.close()));
});

async function open(viewport: { width: number; height: number }): Promise<{ screen: ScreenServer; page: Page }> {
  const screen = new ScreenServer({ host: '127.0.0.1', port: 0, lang: 'zh', clearAfterSec: 30, history: 3 });
  servers.push(screen);
  const { url } = await screen.start();
  screen.publishStatus({ ...SAMPLE_STATUS.reject, profile: 'window' });
  const page = await browser.newPage({ viewport });
  await page.goto(screen.kioskUrl ?? url);
  await page.waitForSelector('body[data-link="up"]');
  return { screen, page };
}

/** Each element's box, and whether it lies wholly inside the viewport and is shown. */
async function boxes(page: Page, ids: string[]): Promise<Record<string, { inside: boolean; visible: boolean }>> {
  return inPage(
    page,
    `(() => { const out = {}; for (const id of ${JSON.stringify(ids)}) { const n = document.getElementById(id); const r = n.getBoundingClientRect();
      out[id] = { inside: r.top >= 0 && r.left >= 0 && r.bottom <= innerHeight + 0.5 && r.right <= innerWidth + 0.5, visible: r.width > 0 && r.height > 0 && getComputedStyle(n).visibility !== 'hidden' }; } return out; })()`,
  );
}

async function shot(page: Page, name: string): Promise<void> {
  const dir = process.env.ROADSCAN_SHOTS;
  if (dir) await page.screenshot({ path: join(dir, `${name}.png`) });
}

describe.each(VIEWPORTS)('operator page at $width x $height', (viewport) => {
  const size = `${viewport.width}x${viewport.height}`;

  it('a window decision with long fields: verdict, both buttons and Clear inside the screen', async () => {
    const { screen, page } = await open(viewport);
    screen.publishScan(WINDOW_TICKET, { atSec: SAMPLE_AT_SEC, profile: 'window' });
    screen.publishDecision({ scanId: 'scan-1', kind: 'voucher' });
    await page.waitForSelector('#decision:not([hidden])');
    const b = await boxes(page, ['banner', 'word', 'confirm', 'refuse', 'clear']);
    for (const [id, box] of Object.entries(b)) expect({ id, ...box }).toEqual({ id, inside: true, visible: true });
    await page.waitForFunction(`(() => { const n = document.getElementById('fields'); return (n.scrollHeight > n.clientHeight + 1) === (n.dataset.cut === 'true'); })()`);
    await shot(page, `decision-${size}`);
  });

  it('a reject with many reasons: verdict and Clear inside, a sign that more is cut', async () => {
    const { screen, page } = await open(viewport);
    screen.publishScan(MANY_REASONS, { atSec: SAMPLE_AT_SEC, profile: 'gate' });
    await page.waitForSelector('#scan[data-seq="1"]');
    const b = await boxes(page, ['banner', 'word', 'clear']);
    for (const [id, box] of Object.entries(b)) expect({ id, ...box }).toEqual({ id, inside: true, visible: true });
    // Whatever does not fit says so; what fits needs no sign.
    const cut = await inPage<Array<{ id: string; overflows: boolean; marked: boolean }>>(
      page,
      `['reasons', 'fields'].map((id) => { const n = document.getElementById(id); return { id, overflows: n.scrollHeight > n.clientHeight + 1, marked: n.dataset.cut === 'true' }; })`,
    );
    for (const c of cut) expect(c.marked, c.id).toBe(c.overflows);
    if (viewport.height === 480) expect(cut.some((c) => c.marked)).toBe(true);
    await shot(page, `many-reasons-${size}`);
  });

  it('the service goes away: the whole page says so within 2 s, every button disabled', async () => {
    const { screen, page } = await open(viewport);
    screen.publishScan(WINDOW_TICKET, { atSec: SAMPLE_AT_SEC, profile: 'window' });
    screen.publishDecision({ scanId: 'scan-1', kind: 'voucher' });
    await page.waitForSelector('#decision:not([hidden])');
    const lostAt = Date.now();
    await screen.stop();
    await page.waitForSelector('body[data-link="lost"]', { timeout: 2000 });
    expect(Date.now() - lostAt).toBeLessThan(2000 + 500);
    const state = await inPage<{ overlay: DOMRectLike; word: string; buttons: boolean[]; scanner: string | null; decisionShown: boolean; top: string }>(
      page,
      `(() => { const o = document.getElementById('offline').getBoundingClientRect();
        const top = document.elementFromPoint(innerWidth / 2, innerHeight - 20);
        return { overlay: { x: o.x, y: o.y, width: o.width, height: o.height }, word: document.getElementById('offline-word').textContent,
          buttons: ['confirm', 'refuse', 'clear'].map((id) => document.getElementById(id).disabled),
          scanner: document.querySelector('#status .chip[data-key="scanner"]')?.dataset.level ?? null,
          decisionShown: !document.getElementById('decision').hidden, top: top.closest('#offline') ? 'offline' : top.id }; })()`,
    );
    expect(state.overlay).toEqual({ x: 0, y: 0, width: viewport.width, height: viewport.height });
    expect(state.word).toBe('服务已停止');
    expect(state.buttons).toEqual([true, true, true]);
    expect(state.decisionShown).toBe(false);
    // Without the service nothing claims the scanner is connected.
    expect(state.scanner).toBeNull();
    expect(state.top).toBe('offline');
    await shot(page, `service-stopped-${size}`);
  });
});

interface DOMRectLike {
  x: number;
  y: number;
  width: number;
  height: number;
}
