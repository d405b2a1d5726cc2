/**
 * scripts/kiosk.sh with the real Chromium: it must find the page (from its argument or from the
 * config file) and open it, which the ScreenServer sees as a page subscribing to its events.
 * The display is faked by running Chromium headless through ROADSCAN_KIOSK_FLAGS. With the
 * service's per-boot kiosk secret file, the page it opens may clear the screen (driven over the
 * DevTools port of that same Chromium), and the secret is gone from the address bar.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { afterEach, describe, expect, it } from 'vitest';
import { PACKAGE_ROOT } from '../../../firmware-ts/paths.js';
import { newKioskSecret, writeKioskSecret } from '../../../firmware-ts/screen/kiosk-secret.js';
import { ScreenServer, type ScreenRefusal } from '../../../firmware-ts/screen/screen-server.js';
import { SAMPLE_AT_SEC, SAMPLE_SCANS } from '../../../scripts/screen-samples.js';
import { SseClient } from './sse-client.js';

const KIOSK = join(PACKAGE_ROOT, 'scripts', 'kiosk.sh');
const dirs: string[] = [];
const procs: ChildProcess[] = [];
const servers: ScreenServer[] = [];

afterEach(async () => {
  for (const p of procs.splice(0)) {
    if (p.exitCode === null && p.signalCode === null) {
      const exited = new Promise((r) => p.once('exit', r));
      process.kill(-p.pid!, 'SIGKILL');
      await exited;
    }
  }
  await Promise.all(servers.splice(0).map((s) => s.stop()));
  dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true }));
});

function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'roadscan-kiosk-test-'));
  dirs.push(d);
  return d;
}

function runKiosk(args: string[], env: Record<string, string>): { proc: ChildProcess; output: () => string } {
  let out = '';
  const proc = spawn('/bin/bash', [KIOSK, ...args], { env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  proc.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  proc.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  procs.push(proc);
  return { proc, output: () => out };
}

function headlessEnv(runtime: string): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: runtime,
    DISPLAY: ':99',
    XDG_RUNTIME_DIR: runtime,
    ROADSCAN_KIOSK_FLAGS: '--headless --no-sandbox --disable-gpu',
  };
}

async function untilWatched(screen: ScreenServer): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (screen.clients === 0) {
    if (Date.now() > deadline) throw new Error('the kiosk never opened the page');
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function startScreen(): Promise<{ screen: ScreenServer; url: string }> {
  const screen = new ScreenServer({ host: '127.0.0.1', port: 0, lang: 'zh', clearAfterSec: 30, history: 3 });
  servers.push(screen);
  return { screen, url: (await screen.start()).url };
}

describe('scripts/kiosk.sh', () => {
  it('opens the page given on the command line in Chromium', async () => {
    const { screen, url } = await startScreen();
    runKiosk([url], headlessEnv(tempDir()));
    await untilWatched(screen);
    expect(screen.clients).toBe(1);
  });

  it('finds the page from the screen section of the config file', async () => {
    const { screen, url } = await startScreen();
    const dir = tempDir();
    const config = join(dir, 'config.json');
    writeFileSync(config, JSON.stringify({ screen: { host: '127.0.0.1', port: Number(new URL(url).port) } }));
    runKiosk([], { ...headlessEnv(dir), ROADSCAN_CONFIG: config });
    await untilWatched(screen);
    expect(screen.clients).toBe(1);
  });

  it('hands the page the kiosk secret from the file in the URL fragment: its Clear works', async () => {
    const dir = tempDir();
    const secret = newKioskSecret();
    const file = join(dir, 'run', 'kiosk-secret');
    writeKioskSecret(file, secret);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const refusals: ScreenRefusal[] = [];
    const screen = new ScreenServer({ host: '127.0.0.1', port: 0, lang: 'en', clearAfterSec: 30, history: 3, kioskSecret: secret, onRefused: (r) => refusals.push(r) });
    servers.push(screen);
    const { url } = await screen.start();
    screen.publishScan(SAMPLE_SCANS.accept, { atSec: SAMPLE_AT_SEC, profile: 'roadside' });
    const config = join(dir, 'config.json');
    writeFileSync(config, JSON.stringify({ screen: { host: '127.0.0.1', port: Number(new URL(url).port), kioskSecretFile: file } }));
    const devtools = await freePort();
    const env = headlessEnv(dir);
    runKiosk([], { ...env, ROADSCAN_CONFIG: config, ROADSCAN_KIOSK_FLAGS: `${env.ROADSCAN_KIOSK_FLAGS} --remote-debugging-port=${devtools}` });
    await untilWatched(screen);
    const browser = await connectWithin(`http://127.0.0.1:${devtools}`, 30_000);
    try {
      const page = browser.contexts()[0]!.pages()[0]!;
      await page.waitForSelector('body[data-link="up"]');
      await page.waitForSelector('#scan[data-seq="1"]');
      expect(page.url()).toBe(url);
      // The server broadcasts the clear only when it accepted the page's /clear.
      const watcher = await SseClient.open(url);
      await watcher.nth('hello');
      await page.click('#clear');
      expect(await watcher.nth('clear', 1, 10_000)).toEqual({ seq: 1 });
      watcher.close();
      expect(refusals).toEqual([]);
    } finally {
      await browser.close();
    }
  });

  it('says why it cannot start without a display or a compositor', async () => {
    const bin = join(tempDir(), 'bin');
    mkdirSync(bin);
    symlinkSync('/usr/bin/dirname', join(bin, 'dirname'));
    const { proc, output } = runKiosk(['http://127.0.0.1:1/'], { PATH: bin });
    const code = await new Promise((r) => proc.once('exit', r));
    expect(code).toBe(1);
    expect(output()).toBe('kiosk: no display (neither WAYLAND_DISPLAY nor DISPLAY) and no cage to start one\n');
  });
});

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  await new Promise((r) => server.close(r));
  return port;
}

async function connectWithin(endpoint: string, ms: number): Promise<import('playwright-core').Browser> {
  const deadline = Date.now() + ms;
  for (;;) {
    try {
      return await chromium.connectOverCDP(endpoint);
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}
