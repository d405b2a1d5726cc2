/**
 * End to end: codes go in through the service's scanner (the simulated one, or the serial driver
 * on a pseudo-terminal), the real checker decides against a status list received by a real sync,
 * the audit log records, and the operator page in headless Chromium shows what the officer needs.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { REASON_TEXT } from '../../../firmware-ts/core/reasons.js';
import { launchHeadlessChromium } from '../../../scripts/harness/headless-chromium.js';
import { ScreenRig, type ScreenRigOptions } from '../../../scripts/harness/screen-rig.js';
import { probe } from './page-probe.js';

const GREEN = 'rgb(11, 122, 51)';
const AMBER = 'rgb(255, 176, 0)';
const RED = 'rgb(196, 13, 30)';

let browser: Browser;
const rigs: ScreenRig[] = [];

beforeAll(async () => {
  browser = await launchHeadlessChromium();
});
afterAll(async () => {
  await browser?.close();
});
afterEach(async () => {
  await Promise.all(browser.contexts().map((c) => c.close()));
  await Promise.all(rigs.splice(0).map((r) => r.close()));
});

async function setup(opts: ScreenRigOptions): Promise<{ rig: ScreenRig; page: Page }> {
  const rig = await ScreenRig.create(opts);
  rigs.push(rig);
  const page = await browser.newPage({ viewport: { width: 480, height: 800 } });
  await page.goto(rig.url);
  await page.waitForSelector('body[data-link="up"]');
  return { rig, page };
}

describe('operator screen behind the service', () => {
  it('shows each scan from the simulated scanner with the right colour, word, reasons and fields', async () => {
    const { rig, page } = await setup({ scanner: 'sim', listAgeSec: 3600 });
    await page.waitForSelector('#status .chip[data-key="scanner"][data-level="ok"]');

    rig.scan(rig.licence());
    await page.waitForSelector('#scan[data-seq="1"]');
    let s = await probe(page);
    expect(s).toMatchObject({ verdict: 'accept', word: '通过', type: '电子驾驶证', bannerBackground: GREEN, icon: '#icon-accept' });
    expect(s.reasons).toEqual([{ level: 'ok', text: '全部检查通过' }]);
    expect(s.fields.map((f) => f.key)).toEqual(['name', 'idNumber', 'classes', 'validity', 'licenceNo']);
    expect(s.fields.every((f) => f.value.length > 0)).toBe(true);
    expect(s.fields.find((f) => f.key === 'idNumber')?.value).toContain('*');

    rig.scan(rig.registration());
    await page.waitForSelector('#scan[data-seq="2"]');
    s = await probe(page);
    expect(s).toMatchObject({ verdict: 'warn', word: '注意', type: '电子行驶证', bannerBackground: AMBER, icon: '#icon-warn' });
    expect(s.reasons).toEqual([{ level: 'warn', text: REASON_TEXT.PAPER_REQUIRED.zh }]);
    expect(s.fields[0]?.key).toBe('plate');

    rig.scan(rig.revokedCode);
    await page.waitForSelector('#scan[data-seq="3"]');
    s = await probe(page);
    expect(s).toMatchObject({ verdict: 'reject', word: '拒绝', type: '电子驾驶证', bannerBackground: RED, icon: '#icon-reject' });
    expect(s.reasons).toEqual([{ level: 'reject', text: REASON_TEXT.REVOKED.zh }]);
    expect(s.fields.length).toBeGreaterThan(0);

    rig.scan('RS1:NOT-A-CODE');
    await page.waitForSelector('#scan[data-seq="4"]');
    s = await probe(page);
    expect(s).toMatchObject({ verdict: 'reject', type: '无法识别', bannerBackground: RED });
    expect(s.reasons.map((r) => r.text)).toEqual([REASON_TEXT.MALFORMED.zh]);
    expect(s.fields).toEqual([]);
    expect(s.history.map((h) => h.verdict)).toEqual(['reject', 'reject', 'warn']);
    expect(s.status.find((c) => c.key === 'uploads')?.text).toBe('待上传0');
  });

  it('clears the personal fields of a scan after the configured time', async () => {
    const { rig, page } = await setup({ scanner: 'sim', listAgeSec: 3600, clearAfterMs: 1500 });
    rig.scan(rig.licence());
    await page.waitForSelector('#scan[data-seq="1"][data-verdict="accept"]');
    const name = (await probe(page)).fields[0]!.value;
    await page.waitForSelector('#scan[data-state="idle"][data-cleared="1"]', { timeout: 10_000 });
    const s = await probe(page);
    expect(s.fields).toEqual([]);
    expect(s.note).toBe('个人信息已清除');
    expect(s.bodyText).not.toContain(name);
    expect(s.history).toEqual([{ verdict: 'accept', text: expect.stringMatching(/^通过\d\d:\d\d:\d\d电子驾驶证$/) }]);
  });

  it('shows a scanner that is not plugged in, and the moment it is', async () => {
    const { rig, page } = await setup({ scanner: 'pty-unplugged', listAgeSec: 3600 });
    await page.waitForSelector('#status .chip[data-key="scanner"][data-level="bad"]');
    expect((await probe(page)).status[0]?.text).toBe('扫码器未连接');
    await rig.plug();
    await page.waitForSelector('#status .chip[data-key="scanner"][data-level="ok"]', { timeout: 10_000 });
    expect((await probe(page)).status[0]?.text).toBe('扫码器已连接');
    rig.scan(rig.registration());
    await page.waitForSelector('#scan[data-seq="1"][data-verdict="warn"]');
  });

  it('warns of a stale status list in the strip and on every scan', async () => {
    const { rig, page } = await setup({ scanner: 'sim', listAgeSec: 30 * 3600, lang: 'en' });
    await page.waitForSelector('#status .chip[data-key="list"][data-level="warn"]');
    expect((await probe(page)).status.find((c) => c.key === 'list')?.text).toBe('Status listout of date · 30 h ago');
    rig.scan(rig.licence());
    await page.waitForSelector('#scan[data-seq="1"]');
    const s = await probe(page);
    expect(s).toMatchObject({ verdict: 'warn', word: 'CHECK', bannerBackground: AMBER });
    expect(s.reasons).toEqual([{ level: 'warn', text: REASON_TEXT.STATUS_LIST_STALE.en }]);
  });
});
