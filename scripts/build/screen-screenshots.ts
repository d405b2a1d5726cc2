/**
 * Screenshots of the operator screen for the README, taken from the real page served by a real
 * ScreenServer in headless Chromium, so the pictures cannot drift from what a device shows.
 *
 *   npm run build && node dist/scripts/build/screen-screenshots.js [--lang zh|en] [--size 480x800] [--out docs/screenshots]
 *
 * Writes `<verdict>-<size>.png` for accept, warn and reject.
 * @module
 */
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { PACKAGE_ROOT } from '../../firmware-ts/paths.js';
import { ScreenServer } from '../../firmware-ts/screen/screen-server.js';
import type { ScreenLang } from '../../firmware-ts/screen/screen-text.js';
import { launchHeadlessChromium } from '../harness/headless-chromium.js';
import { SAMPLE_AT_SEC, SAMPLE_SCANS, SAMPLE_STATUS } from '../harness/screen-samples.js';

export interface ScreenshotOptions {
  outDir: string;
  lang: ScreenLang;
  width: number;
  height: number;
}

/** Takes one screenshot per verdict; returns the files written. */
export async function takeScreenshots(opts: ScreenshotOptions): Promise<string[]> {
  mkdirSync(opts.outDir, { recursive: true });
  const screen = new ScreenServer({ host: '127.0.0.1', port: 0, lang: opts.lang, clearAfterSec: 600, history: 3 });
  const { url } = await screen.start();
  const browser = await launchHeadlessChromium();
  const files: string[] = [];
  try {
    const page = await browser.newPage({ viewport: { width: opts.width, height: opts.height } });
    await page.goto(screen.kioskUrl ?? url);
    await page.waitForSelector('body[data-link="up"]');
    let at = SAMPLE_AT_SEC - 300;
    for (const verdict of ['accept', 'warn', 'reject'] as const) {
      // A few earlier scans so the recent-scans list is not empty.
      for (const earlier of ['accept', 'reject'] as const) {
        screen.publishScan(SAMPLE_SCANS[earlier], { atSec: (at += 37), profile: 'roadside' });
      }
      screen.publishStatus(SAMPLE_STATUS[verdict]);
      screen.publishScan(SAMPLE_SCANS[verdict], { atSec: SAMPLE_AT_SEC, profile: SAMPLE_STATUS[verdict].profile });
      await page.waitForSelector(`#scan[data-verdict="${verdict}"][data-state="scan"]`);
      await page.waitForSelector(`#history li:first-child[data-verdict="${verdict}"]`);
      const file = join(opts.outDir, `${verdict}-${opts.width}x${opts.height}.png`);
      await page.screenshot({ path: file });
      files.push(file);
    }
  } finally {
    await browser.close();
    await screen.stop();
  }
  return files;
}

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const [width, height] = (arg('--size') ?? '480x800').split('x').map(Number);
  const lang = arg('--lang') === 'en' ? 'en' : 'zh';
  const outDir = resolve(arg('--out') ?? join(PACKAGE_ROOT, 'docs', 'screenshots'));
  takeScreenshots({ outDir, lang, width: width || 480, height: height || 800 })
    .then((files) => files.forEach((f) => process.stdout.write(`${f}\n`)))
    .catch((err: unknown) => {
      process.stderr.write(`screen-screenshots: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exit(1);
    });
}
