/**
 * scripts/deploy/kiosk.sh with the real Chromium: it must find the page (from its argument or from the
 * config file) and open it, which the ScreenServer sees as a page subscribing to its events.
 * The display is faked by running Chromium headless through ROADSCAN_KIOSK_FLAGS. With the
 * service's per-boot kiosk secret file, the secret reaches the page through a 0600 start page and
 * is on no process's command line; the page it opens confirms, refuses and clears (driven over the
 * DevTools port of that same Chromium) while a process without the secret is refused and logged;
 * a new secret (the service restarted) reopens the page with it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterEach, describe, expect, it } from 'vitest';
import { PACKAGE_ROOT } from '../../../firmware-ts/paths.js';
import { newKioskSecret, writeKioskSecret } from '../../../firmware-ts/screen/kiosk-secret.js';
import { ScreenServer, type ScreenActionRequest, type ScreenRefusal } from '../../../firmware-ts/screen/screen-server.js';
import { SAMPLE_AT_SEC, SAMPLE_SCANS } from '../../../scripts/harness/screen-samples.js';
import { SseClient } from './sse-client.js';

const KIOSK = join(PACKAGE_ROOT, 'scripts', 'deploy', 'kiosk.sh');
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
  // Chromium's processes die with the group but may still be writing their profile for a moment:
  // removing it then fails with ENOTEMPTY, which Node retries when asked to.
  dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true, maxRetries: 20, retryDelay: 100 }));
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

describe('scripts/deploy/kiosk.sh', () => {
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

  it('hands the secret over in a 0600 start page, never on a command line: the page confirms, refuses and clears; a process without it is refused and logged', async () => {
    const dir = tempDir();
    const runtime = join(dir, 'runtime');
    mkdirSync(runtime, { mode: 0o700 });
    const secret = newKioskSecret();
    const file = join(dir, 'run', 'kiosk-secret');
    writeKioskSecret(file, secret);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const refusals: ScreenRefusal[] = [];
    const actions: ScreenActionRequest[] = [];
    const screen = new ScreenServer({
      host: '127.0.0.1',
      port: 0,
      lang: 'en',
      clearAfterSec: 30,
      history: 3,
      kioskSecret: secret,
      onRefused: (r) => refusals.push(r),
      onAction: (r) => {
        actions.push(r);
        return 'done';
      },
    });
    servers.push(screen);
    const { url } = await screen.start();
    screen.publishScan(SAMPLE_SCANS.accept, { atSec: SAMPLE_AT_SEC, profile: 'gate' });
    screen.publishDecision({ scanId: 'scan-1', kind: 'check-id' });
    const config = join(dir, 'config.json');
    writeFileSync(config, JSON.stringify({ screen: { host: '127.0.0.1', port: Number(new URL(url).port), kioskSecretFile: file } }));
    const devtools = await freePort();
    const env = headlessEnv(runtime);
    const kiosk = runKiosk([], { ...env, ROADSCAN_CONFIG: config, ROADSCAN_KIOSK_FLAGS: `${env.ROADSCAN_KIOSK_FLAGS} --remote-debugging-port=${devtools}` });
    await untilWatched(screen);
    let browser = await connectWithin(`http://127.0.0.1:${devtools}`, 30_000);
    try {
      const page = await kioskPage(browser, url);
      await page.waitForSelector('#decision:not([hidden])');
      // (a) The secret is on no command line: not the launcher's, not Chromium's, nobody's.
      const chromiumPids = descendants(kiosk.proc.pid!);
      expect(chromiumPids.length).toBeGreaterThan(1);
      expect(processesWith(secret)).toEqual([]);
      expect(readFileSync(`/proc/${kiosk.proc.pid}/cmdline`, 'utf8')).not.toContain(secret);
      // Chromium was given a start page in a private folder of the runtime folder, not the URL.
      const starts = readdirSync(runtime).filter((n) => n.startsWith('roadscan-kiosk-start.'));
      expect(starts).toHaveLength(1);
      const startDir = join(runtime, starts[0]!);
      expect(statSync(startDir).mode & 0o777).toBe(0o700);
      expect(statSync(join(startDir, 'start.html')).mode & 0o777).toBe(0o600);
      expect(chromiumPids.some((pid) => cmdline(pid).includes(`file://${startDir}/start.html`))).toBe(true);
      expect(processesWith(`file://${startDir}/start.html`).length).toBeGreaterThan(0);
      // (c) A local process without the secret (it reads the stream's token and forges Origin): refused and logged.
      const spy = await SseClient.open(url);
      const { token } = (await spy.nth('hello')) as { token: string };
      const forged = await fetch(new URL('action', url), {
        method: 'POST',
        headers: { origin: url.replace(/\/$/, ''), 'x-roadscan-token': token, 'content-type': 'application/json' },
        body: JSON.stringify({ scanId: 'scan-1', action: 'confirm' }),
      });
      expect(forged.status).toBe(403);
      const forgedClear = await fetch(new URL('clear', url), {
        method: 'POST',
        headers: { origin: url.replace(/\/$/, ''), 'x-roadscan-token': token, 'x-roadscan-screen': 'clear' },
      });
      expect(forgedClear.status).toBe(403);
      spy.close();
      expect(refusals.map((r) => [r.path, r.reason])).toEqual([
        ['/action', 'kiosk'],
        ['/clear', 'kiosk'],
      ]);
      expect(screen.pendingDecision?.scanId).toBe('scan-1');
      // (b) The kiosk page itself: confirm, then refuse on the next decision, then Clear.
      await page.click('#confirm');
      await until(() => actions.length === 1);
      screen.publishDecisionOutcome('scan-1', 'boarding-kept');
      // The next person's scan, and its decision.
      screen.publishScan(SAMPLE_SCANS.warn, { atSec: SAMPLE_AT_SEC + 20, profile: 'gate' });
      screen.publishDecision({ scanId: 'scan-2', kind: 'check-id' });
      await page.waitForSelector('#decision[data-scan-id="scan-2"]:not([hidden])');
      await page.click('#refuse');
      await until(() => actions.length === 2);
      expect(actions.map((a) => [a.scanId, a.action])).toEqual([
        ['scan-1', 'confirm'],
        ['scan-2', 'refuse'],
      ]);
      const watcher = await SseClient.open(url);
      await watcher.nth('hello');
      await page.click('#clear');
      expect(await watcher.nth('clear', 1, 10_000)).toEqual({ seq: 2 });
      watcher.close();
      expect(refusals).toHaveLength(2);
      expect(page.url()).toBe(url);
      expect(JSON.stringify(refusals)).not.toContain(secret);

      // The service restarts with a new secret: the kiosk reopens the page with it, old start page gone.
      await browser.close();
      await screen.stop();
      const next = newKioskSecret();
      const restarted = new ScreenServer({
        host: '127.0.0.1',
        port: Number(new URL(url).port),
        lang: 'en',
        clearAfterSec: 30,
        history: 3,
        kioskSecret: next,
        onRefused: (r) => refusals.push(r),
      });
      servers.push(restarted);
      await restarted.start();
      restarted.publishScan(SAMPLE_SCANS.accept, { atSec: SAMPLE_AT_SEC, profile: 'gate' });
      writeKioskSecret(file, next);
      await until(() => !existsSync(startDir), 20_000);
      browser = await connectWithin(`http://127.0.0.1:${devtools}`, 30_000);
      const reopened = await kioskPage(browser, url);
      expect(processesWith(next)).toEqual([]);
      const watcher2 = await SseClient.open(url);
      await watcher2.nth('hello');
      await reopened.click('#clear');
      expect(await watcher2.nth('clear', 1, 10_000)).toEqual({ seq: 1 });
      watcher2.close();
      expect(refusals).toHaveLength(2);
    } finally {
      await browser.close();
    }
    // Stopped (as systemd does): Chromium goes with it, and so does the start page.
    const exited = new Promise((r) => kiosk.proc.once('exit', r));
    process.kill(kiosk.proc.pid!, 'SIGTERM');
    expect(await exited).toBe(143);
    expect(readdirSync(runtime).filter((n) => n.startsWith('roadscan-kiosk-start.'))).toEqual([]);
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

/** The kiosk's page once it has left the start page for the screen (the fragment already taken out). */
async function kioskPage(browser: Browser, url: string): Promise<Page> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const page = browser
      .contexts()
      .flatMap((c) => c.pages())
      .find((p) => p.url() === url);
    if (page) {
      await page.waitForSelector('body[data-link="up"]');
      return page;
    }
    if (Date.now() > deadline)
      throw new Error(
        `no page at ${url}: ${browser
          .contexts()
          .flatMap((c) => c.pages())
          .map((p) => p.url())}`,
      );
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function until(ok: () => boolean, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}

function cmdline(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
  } catch {
    return '';
  }
}

/** Every process whose command line holds `text` (all of /proc this user can see). */
function processesWith(text: string): string[] {
  return readdirSync('/proc')
    .filter((n) => /^\d+$/.test(n))
    .map((n) => cmdline(Number(n)))
    .filter((c) => c.includes(text));
}

/** The process and all its descendants (from /proc/PID/stat's parent field). */
function descendants(root: number): number[] {
  const parent = new Map<number, number>();
  for (const n of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      const stat = readFileSync(`/proc/${n}/stat`, 'utf8');
      parent.set(Number(n), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      // gone meanwhile
    }
  }
  const out = [root];
  for (let i = 0; i < out.length; i++) for (const [pid, ppid] of parent) if (ppid === out[i]) out.push(pid);
  return out;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  await new Promise((r) => server.close(r));
  return port;
}

async function connectWithin(endpoint: string, ms: number): Promise<Browser> {
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
