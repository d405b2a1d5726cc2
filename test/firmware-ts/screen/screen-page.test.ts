/**
 * The operator page in a real headless Chromium, fed by a real ScreenServer: what the operator
 * sees for each verdict, that personal fields go away, that the status strip follows the device.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ScreenServer, type ScreenServerOptions } from '../../../firmware-ts/screen/screen-server.js';
import type { ScreenStatus } from '../../../firmware-ts/screen/screen-view.js';
import { REASON_TEXT } from '../../../firmware-ts/core/reasons.js';
import { launchHeadlessChromium } from '../../../scripts/harness/headless-chromium.js';
import { SAMPLE_AT_SEC, SAMPLE_SCANS, SAMPLE_STATUS } from '../../../scripts/harness/screen-samples.js';
import { inPage, probe } from './page-probe.js';

const AT = SAMPLE_AT_SEC; // 10:00:03 CST
const STATUS: ScreenStatus = { ...SAMPLE_STATUS.accept, listAgeSec: 7200 };
const GREEN = 'rgb(11, 122, 51)';
const AMBER = 'rgb(255, 176, 0)';
const RED = 'rgb(196, 13, 30)';
const IDLE_GREY = 'rgb(228, 230, 233)';

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

async function setup(opts: Partial<ScreenServerOptions> = {}, viewport = { width: 480, height: 800 }): Promise<{ screen: ScreenServer; page: Page; url: string }> {
  const screen = new ScreenServer({ host: '127.0.0.1', port: 0, lang: 'zh', clearAfterSec: 30, history: 3, ...opts });
  servers.push(screen);
  await screen.start();
  // The page as scripts/deploy/kiosk.sh opens it: the kiosk secret in the fragment.
  const url = screen.kioskUrl!;
  const page = await browser.newPage({ viewport });
  const problems: string[] = [];
  page.on('pageerror', (e) => problems.push(e.message));
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(m.text());
  });
  await page.goto(url);
  await page.waitForSelector('body[data-link="up"]');
  expect(problems).toEqual([]);
  return { screen, page, url };
}

describe('operator page', () => {
  it("starts idle, in Chinese, with nobody's data on it", async () => {
    const { page } = await setup();
    const s = await probe(page);
    expect(await inPage(page, 'document.documentElement.lang')).toBe('zh-CN');
    expect(s).toMatchObject({ state: 'idle', verdict: 'idle', icon: '#icon-idle', word: '请扫码', note: '将二维码对准扫码窗口', bannerBackground: IDLE_GREY });
    expect(s.fields).toEqual([]);
    expect(s.history).toEqual([{ verdict: '', text: '暂无记录' }]);
  });

  it('shows an accept: green, tick, word, type, time and the licence fields', async () => {
    const { screen, page } = await setup();
    screen.publishScan(SAMPLE_SCANS.accept, { atSec: AT, profile: 'roadside' });
    await page.waitForSelector('#scan[data-seq="1"]');
    const s = await probe(page);
    expect(s).toMatchObject({ verdict: 'accept', icon: '#icon-accept', word: '通过', type: '电子驾驶证', time: '10:00:03', bannerBackground: GREEN });
    expect(s.bannerColour).toBe('rgb(255, 255, 255)');
    expect(s.reasons).toEqual([{ level: 'ok', text: '全部检查通过' }]);
    expect(s.fields.map((f) => [f.label, f.value])).toEqual([
      ['姓名', '张*明'],
      ['身份证号', '110***********1234'],
      ['准驾车型', 'C1,D'],
      ['有效期', '2021-06-01 – 2027-06-01'],
      ['驾驶证号', '110***********1234'],
    ]);
    expect(s.history).toEqual([{ verdict: 'accept', text: '通过10:00:03电子驾驶证' }]);
  });

  it('shows a warn: amber, triangle, reasons in plain words, the overdue field marked', async () => {
    const { screen, page } = await setup();
    screen.publishScan(SAMPLE_SCANS.warn, { atSec: AT, profile: 'roadside' });
    await page.waitForSelector('#scan[data-seq="1"]');
    const s = await probe(page);
    expect(s).toMatchObject({ verdict: 'warn', icon: '#icon-warn', word: '注意', type: '电子行驶证', bannerBackground: AMBER });
    expect(s.bannerColour).toBe('rgb(17, 17, 17)');
    expect(s.reasons).toEqual([
      { level: 'warn', text: REASON_TEXT.INSPECTION_OVERDUE.zh },
      { level: 'warn', text: REASON_TEXT.PAPER_REQUIRED.zh },
    ]);
    expect(s.fields.map((f) => f.key)).toEqual(['plate', 'plateColour', 'vehicleType', 'owner', 'ownerKind', 'vin', 'inspectionUntil']);
    expect(s.fields.find((f) => f.key === 'inspectionUntil')).toMatchObject({ value: '2026-10-31', flag: 'warn' });
  });

  it('shows a reject: red, octagon, the gravest reason first, the ticket fields', async () => {
    const { screen, page } = await setup();
    screen.publishScan(SAMPLE_SCANS.reject, { atSec: AT, profile: 'gate' });
    await page.waitForSelector('#scan[data-seq="1"]');
    const s = await probe(page);
    expect(s).toMatchObject({ verdict: 'reject', icon: '#icon-reject', word: '拒绝', type: '电子客票', bannerBackground: RED });
    expect(s.reasons).toEqual([
      { level: 'reject', text: REASON_TEXT.OUTSIDE_BOARDING_WINDOW.zh },
      { level: 'warn', text: REASON_TEXT.CHECK_ID.zh },
    ]);
    expect(s.fields.slice(0, 4).map((f) => [f.key, f.value, f.flag])).toEqual([
      ['name', '王*', 'warn'],
      ['idNumber', '130***********0021', 'warn'],
      ['departure', '2026-11-20 13:30', 'reject'],
      ['seat', '07', null],
    ]);
  });

  it('shows hostile field text as text, never as markup', async () => {
    const { screen, page } = await setup();
    const nasty = '<img src=x onerror="document.title=\'pwned\'">';
    screen.publishScan(
      { verdict: 'accept', reasons: [], type: 'DL', fields: { name: nasty, nickname: '<script>document.title="pwned"</script>' } },
      { atSec: AT, profile: 'roadside' },
    );
    await page.waitForSelector('#scan[data-seq="1"]');
    const s = await probe(page);
    expect(s.fields).toEqual([
      { key: 'name', label: '姓名', value: nasty, flag: null },
      { key: 'nickname', label: 'nickname', value: '<script>document.title="pwned"</script>', flag: null },
    ]);
    expect(await inPage(page, "document.querySelectorAll('#fields img, #fields script').length")).toBe(0);
    expect(await page.title()).toBe('roadscan');
  });

  it('clears the personal fields after the timeout and keeps only verdict, type and time', async () => {
    const { screen, page, url } = await setup({ clearAfterMs: 1500 });
    screen.publishScan(SAMPLE_SCANS.accept, { atSec: AT, profile: 'roadside' });
    await page.waitForSelector('#scan[data-seq="1"]');
    expect((await probe(page)).bodyText).toContain('张*明');
    await page.waitForSelector('#scan[data-state="idle"][data-cleared="1"]', { timeout: 10_000 });
    const s = await probe(page);
    expect(s).toMatchObject({ verdict: 'idle', word: '请扫码', note: '个人信息已清除', bannerBackground: IDLE_GREY });
    expect(s.fields).toEqual([]);
    expect(s.reasons).toEqual([]);
    expect(s.history).toEqual([{ verdict: 'accept', text: '通过10:00:03电子驾驶证' }]);
    expect(s.bodyText).not.toMatch(/张|\*\*\*|1234|C1,D/);
    // A reload does not bring them back: the service forgot them too.
    const again = await browser.newPage({ viewport: { width: 480, height: 800 } });
    await again.goto(url);
    await again.waitForSelector('body[data-link="up"]');
    await again.waitForSelector('#history li[data-verdict="accept"]');
    expect((await probe(again)).bodyText).not.toContain('张');
  });

  it('clears at once on the Clear button, which is big enough for a gloved finger', async () => {
    const { screen, page } = await setup();
    screen.publishScan(SAMPLE_SCANS.reject, { atSec: AT, profile: 'gate' });
    await page.waitForSelector('#scan[data-seq="1"]');
    const box = await page.locator('#clear').boundingBox();
    expect(box!.height).toBeGreaterThanOrEqual(64);
    expect(box!.width).toBeGreaterThanOrEqual(100);
    await page.locator('#clear').click();
    await page.waitForSelector('#scan[data-state="idle"]');
    expect((await probe(page)).bodyText).not.toContain('王*');
  });

  it('a newer scan replaces the current one and the list shows the latest first', async () => {
    const { screen, page } = await setup();
    screen.publishScan(SAMPLE_SCANS.accept, { atSec: AT, profile: 'roadside' });
    screen.publishScan(SAMPLE_SCANS.warn, { atSec: AT + 20, profile: 'roadside' });
    screen.publishScan(SAMPLE_SCANS.reject, { atSec: AT + 40, profile: 'roadside' });
    screen.publishScan(SAMPLE_SCANS.accept, { atSec: AT + 60, profile: 'roadside' });
    await page.waitForSelector('#scan[data-seq="4"]');
    await page.waitForSelector('#history li:nth-child(3)');
    const s = await probe(page);
    expect(s.history.map((h) => h.verdict)).toEqual(['accept', 'reject', 'warn']);
    expect(s.history.map((h) => h.text).join(' ')).not.toMatch(/张|王|京A/);
  });

  it('status strip follows an unplugged scanner, a stale list and an unreliable clock', async () => {
    const { screen, page } = await setup();
    screen.publishStatus(STATUS);
    await page.waitForSelector('#status .chip[data-key="scanner"][data-level="ok"]');
    let s = await probe(page);
    expect(s.status.map((c) => [c.key, c.level, c.text])).toEqual([
      ['scanner', 'ok', '扫码器已连接'],
      ['list', 'ok', '状态列表2小时前'],
      ['clock', 'ok', '时钟正常'],
      ['uploads', 'info', '待上传0'],
      ['profile', 'info', '场景路面执法'],
      ['region', 'info', '地区110105'],
    ]);
    screen.publishStatus({ ...STATUS, scanner: 'closed' });
    await page.waitForSelector('#status .chip[data-key="scanner"][data-level="bad"]');
    expect((await probe(page)).status[0]).toEqual({ key: 'scanner', level: 'bad', text: '扫码器未连接' });
    screen.publishStatus({ ...STATUS, scanner: 'closed', listStale: true, listAgeSec: 30 * 3600, clock: 'unreliable' });
    await page.waitForSelector('#status .chip[data-key="list"][data-level="warn"]');
    s = await probe(page);
    expect(s.status.find((c) => c.key === 'list')).toEqual({ key: 'list', level: 'warn', text: '状态列表已过期 · 30小时前' });
    expect(s.status.find((c) => c.key === 'clock')).toEqual({ key: 'clock', level: 'warn', text: '时钟不可靠' });
    const bg = await inPage<string>(page, `getComputedStyle(document.querySelector('#status .chip[data-key="list"]')).backgroundColor`);
    expect(bg).toBe(AMBER);
    screen.publishStatus(STATUS);
    await page.waitForSelector('#status .chip[data-key="scanner"][data-level="ok"]');
    expect((await probe(page)).status.filter((c) => c.level === 'warn' || c.level === 'bad')).toEqual([]);
  });

  it('says so when the service is gone', async () => {
    const { screen, page } = await setup();
    await screen.stop();
    await page.waitForSelector('#status .chip[data-key="link"][data-level="bad"]', { timeout: 10_000 });
    expect((await probe(page)).status[0]?.text).toBe('服务连接中断');
  });

  it('a newer page takes the place of the oldest when the screen is full, and the oldest comes back later', async () => {
    const { screen, page, url } = await setup({ maxClients: 1 });
    const second = await browser.newPage({ viewport: { width: 480, height: 800 } });
    await second.goto(url);
    await second.waitForSelector('body[data-link="up"]');
    await page.waitForSelector('body[data-link="lost"]');
    screen.publishScan(SAMPLE_SCANS.accept, { atSec: AT, profile: 'roadside' });
    await second.waitForSelector('#scan[data-seq="1"][data-verdict="accept"]');
    await second.close();
    // The page let go retries by itself and shows the current scan again.
    await page.waitForSelector('body[data-link="up"]', { timeout: 15_000 });
    await page.waitForSelector('#scan[data-seq="1"][data-verdict="accept"]');
  });

  it('speaks English when configured', async () => {
    const { screen, page } = await setup({ lang: 'en' });
    expect(await inPage(page, 'document.documentElement.lang')).toBe('en');
    screen.publishScan(SAMPLE_SCANS.warn, { atSec: AT, profile: 'roadside' });
    await page.waitForSelector('#scan[data-seq="1"]');
    const s = await probe(page);
    expect(s).toMatchObject({ word: 'CHECK', type: 'Vehicle registration' });
    expect(s.reasons.map((r) => r.text)).toEqual([REASON_TEXT.INSPECTION_OVERDUE.en, REASON_TEXT.PAPER_REQUIRED.en]);
    expect(s.fields[0]).toMatchObject({ label: 'Plate', value: '京A·D1234' });
    expect(await page.locator('#clear').textContent()).toBe('Clear');
  });

  for (const viewport of [
    { width: 480, height: 800 },
    { width: 800, height: 480 },
  ]) {
    it(`fits ${viewport.width}x${viewport.height} with the verdict readable at arm's length`, async () => {
      const { screen, page } = await setup({}, viewport);
      screen.publishStatus({ ...STATUS, profile: 'gate', station: 'S110105001', scanner: 'closed', listStale: true, listAgeSec: 99 * 3600 });
      screen.publishScan(SAMPLE_SCANS.reject, { atSec: AT, profile: 'gate' });
      await page.waitForSelector('#scan[data-seq="1"]');
      const overflow = await inPage<number>(page, 'document.documentElement.scrollWidth - window.innerWidth');
      expect(overflow).toBe(0);
      const word = await page.locator('#word').boundingBox();
      const icon = await page.locator('#banner .icon').boundingBox();
      expect(word!.y + word!.height).toBeLessThanOrEqual(viewport.height);
      expect(word!.height).toBeGreaterThanOrEqual(60);
      expect(icon!.width).toBeGreaterThanOrEqual(96);
      const reason = await page.locator('#reasons li').first().boundingBox();
      expect(reason!.y + reason!.height).toBeLessThanOrEqual(viewport.height);
      const fontPx = await inPage<number>(page, `parseFloat(getComputedStyle(document.querySelector('#fields dd')).fontSize)`);
      expect(fontPx).toBeGreaterThanOrEqual(22);
      const clear = await page.locator('#clear').boundingBox();
      expect(clear!.y + clear!.height).toBeLessThanOrEqual(viewport.height);
    });
  }
});
