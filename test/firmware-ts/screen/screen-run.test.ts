/**
 * The whole appliance as shipped: `roadscan run --hal sim --scanner PTY` (the built CLI in its own
 * process) serves the operator page, and a code written to the scanner's pseudo-terminal shows up
 * on it in headless Chromium, with the URL taken from the service's own log line.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PACKAGE_ROOT } from '../../../firmware-ts/paths.js';
import { uiText } from '../../../firmware-ts/screen/screen-text.js';
import { launchHeadlessChromium } from '../../../scripts/harness/headless-chromium.js';
import { TestAuthority } from '../../../sim/authority/test-authority.js';
import { runHarness, type RunningService } from '../../helpers/run-harness.js';
import { probe } from './page-probe.js';

const NOW_ISO = '2026-11-20T10:00:00+08:00';
const NOW = Date.parse(NOW_ISO) / 1000;

const harness = runHarness('all');
let service: RunningService;
let browser: Browser;
let url: string;
const authority = TestAuthority.create();

beforeAll(async () => {
  const dir = harness.tempDir('roadscan-screen-run-');
  writeFileSync(join(dir, 'trust.json'), JSON.stringify(authority.trustList()));
  service = await harness.start({
    dir,
    scanner: true,
    events: false,
    config: {
      db: join(dir, 'roadscan.db'),
      adoptionFile: join(PACKAGE_ROOT, 'config', 'adoption.json'),
      calendarFile: join(PACKAGE_ROOT, 'config', 'calendar-cn.json'),
      screen: { port: 0, lang: 'zh' },
    },
    args: ['--trust', join(dir, 'trust.json'), '--now', NOW_ISO],
  });
  url = (await service.waitForLog(/"url":"(http:\/\/127\.0\.0\.1:\d+\/)","msg":"operator screen"/, 30_000))[1]!;
  browser = await launchHeadlessChromium();
});

afterAll(async () => {
  await browser?.close();
  await service?.stop('SIGTERM');
});

function scan(text: string): void {
  service.send(`${text}\r\n`);
}

describe('roadscan run serves the operator screen', () => {
  it('shows a code scanned on the serial line, with the reasons of a never-synced list', async () => {
    const page = await browser.newPage({ viewport: { width: 480, height: 800 } });
    await page.goto(url);
    await page.waitForSelector('body[data-link="up"]');
    scan(authority.code({ type: 'DL', now: NOW }).text);
    await page.waitForSelector('#scan[data-seq="1"]', { timeout: 10_000 });
    const s = await probe(page);
    expect(s).toMatchObject({ verdict: 'warn', word: '注意', type: '电子驾驶证', time: '10:00:00', icon: '#icon-warn' });
    // Never synced: the reason says so in the words the strip uses, not "out of date".
    expect(s.reasons).toEqual([{ level: 'warn', text: uiText('reasonListNever', 'zh') }]);
    expect(uiText('reasonListNever', 'zh')).toContain(uiText('listNever', 'zh'));
    expect(s.status.find((i) => i.key === 'list')?.text).toContain(uiText('listNever', 'zh'));
    expect(s.fields.map((f) => f.key)).toEqual(['name', 'idNumber', 'classes', 'validity', 'licenceNo']);
    expect(s.history).toEqual([{ verdict: 'warn', text: '注意10:00:00电子驾驶证' }]);
  });
});
