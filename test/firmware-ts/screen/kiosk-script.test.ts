/**
 * scripts/kiosk.sh with the real Chromium: it must find the page (from its argument or from the
 * config file) and open it, which the ScreenServer sees as a page subscribing to its events.
 * The display is faked by running Chromium headless through ROADSCAN_KIOSK_FLAGS.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { PACKAGE_ROOT } from '../../../firmware-ts/paths.js';
import { ScreenServer } from '../../../firmware-ts/screen/screen-server.js';

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
