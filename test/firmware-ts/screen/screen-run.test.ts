/**
 * The whole appliance as shipped: `roadscan run --hal sim --scanner PTY` (the built CLI in its own
 * process) serves the operator page, and a code written to the scanner's pseudo-terminal shows up
 * on it in headless Chromium, with the URL taken from the service's own log line.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, openSync, writeSync, closeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PACKAGE_ROOT } from '../../../firmware-ts/paths.js';
import { uiText } from '../../../firmware-ts/screen/screen-text.js';
import { startPtyPair, type PtyPair } from '../../../hal/scanner/pty-pair.js';
import { launchHeadlessChromium } from '../../../scripts/headless-chromium.js';
import { TestAuthority } from '../../../sim/authority/test-authority.js';
import { BIN } from '../../helpers/cli.js';
import { probe } from './page-probe.js';

const NOW_ISO = '2026-11-20T10:00:00+08:00';
const NOW = Date.parse(NOW_ISO) / 1000;

let dir: string;
let pair: PtyPair;
let service: ChildProcess;
let browser: Browser;
let url: string;
let stderr = '';
const authority = TestAuthority.create();

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'roadscan-screen-run-'));
  const config = join(dir, 'config.json');
  writeFileSync(join(dir, 'trust.json'), JSON.stringify(authority.trustList()));
  writeFileSync(
    config,
    JSON.stringify({
      db: join(dir, 'roadscan.db'),
      adoptionFile: join(PACKAGE_ROOT, 'config', 'adoption.json'),
      calendarFile: join(PACKAGE_ROOT, 'config', 'calendar-cn.json'),
      health: { enabled: false },
      screen: { port: 0, lang: 'zh' },
    }),
  );
  pair = await startPtyPair(join(dir, 'scanner'), join(dir, 'feeder'));
  service = spawn(
    process.execPath,
    [BIN, 'run', '--config', config, '--trust', join(dir, 'trust.json'), '--hal', 'sim', '--scanner', pair.devicePath, '--now', NOW_ISO],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no screen URL in the log:\n${stderr}`)), 30_000);
    service.stderr!.on('data', (d: Buffer) => {
      stderr += d.toString('utf8');
      const m = /"url":"(http:\/\/127\.0\.0\.1:\d+\/)","msg":"operator screen"/.exec(stderr);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
    service.once('exit', (code) => reject(new Error(`roadscan run exited (${code}):\n${stderr}`)));
  });
  browser = await launchHeadlessChromium();
});

afterAll(async () => {
  await browser?.close();
  if (service && service.exitCode === null) {
    const exited = new Promise((r) => service.once('exit', r));
    service.kill('SIGTERM');
    await exited;
  }
  await pair?.stop();
  rmSync(dir, { recursive: true, force: true });
});

function scan(text: string): void {
  const fd = openSync(pair.feederPath, 'r+');
  try {
    writeSync(fd, Buffer.from(`${text}\r\n`, 'utf8'));
  } finally {
    closeSync(fd);
  }
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
