/**
 * The systemd watchdog, with a fake NOTIFY_SOCKET: socat receives the unix datagrams the service
 * sends through systemd-notify, as systemd would. A service whose event loop is blocked must stop
 * pinging (that silence is what systemd notices and restarts); `roadscan run` itself must say
 * READY=1 once it scans, ping while it runs, and say STOPPING=1 on SIGTERM.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PACKAGE_ROOT } from '../../../firmware-ts/paths.js';
import { createDemoWorld } from '../../../sim/scenarios/demo.js';
import { runHarness } from '../../helpers/run-harness.js';
import { waitUntil } from '../../hal/helpers/events.js';

const LOADER = join(PACKAGE_ROOT, 'test/firmware-ts/audit/fixtures/register-ts.mjs');
const SERVICE = join(import.meta.dirname, 'fixtures', 'blocking-service.ts');
const WATCHDOG_MS = 600;

interface Datagram {
  at: number;
  text: string;
}

let dir: string;
let receiver: ChildProcess;
let received: Datagram[];
let children: ChildProcess[];

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'roadscan-notify-'));
  received = [];
  children = [];
  receiver = spawn('socat', ['-u', `UNIX-RECV:${join(dir, 'notify')}`, 'STDOUT'], { stdio: ['ignore', 'pipe', 'inherit'] });
  // Each datagram arrives as one read on the pipe (they are far apart), stamped on arrival.
  receiver.stdout!.on('data', (d: Buffer) => received.push({ at: Date.now(), text: d.toString('utf8') }));
  await waitUntil(() => spawnReady(join(dir, 'notify')), 'the notify socket');
});

function spawnReady(path: string): true | undefined {
  try {
    return statSync(path).isSocket() || undefined;
  } catch {
    return undefined;
  }
}

afterEach(() => {
  for (const c of children) c.kill('SIGKILL');
  receiver.kill();
  rmSync(dir, { recursive: true, force: true });
});
// Registered after the hook above, so it runs first: the service is gone before its folder is.
const harness = runHarness();

const env = () => ({ ...process.env, NOTIFY_SOCKET: join(dir, 'notify'), WATCHDOG_USEC: String(WATCHDOG_MS * 1000) });
const pings = () => received.filter((d) => d.text.includes('WATCHDOG=1'));

describe('systemd watchdog', () => {
  it('pings from the event loop, and a blocked loop goes silent longer than WatchdogSec', async () => {
    const child = spawn(process.execPath, ['--import', LOADER, SERVICE, '1000', String(WATCHDOG_MS * 3)], { env: env(), stdio: ['ignore', 'pipe', 'inherit'] });
    children.push(child);
    let out = '';
    child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((r) => child.on('exit', r));
    expect(await exited).toBe(0);
    await waitUntil(() => received.some((d) => d.text.includes('STOPPING=1')) || undefined, 'STOPPING=1', 3000);
    expect(out).toBe('blocking\nunblocked\n');
    expect(received[0]!.text).toContain('READY=1');
    const at = pings().map((p) => p.at);
    const gaps = at.slice(1).map((t, i) => t - at[i]!);
    // While the loop ran: a ping every third of the period, well inside it.
    expect(gaps.filter((g) => g < WATCHDOG_MS).length).toBeGreaterThanOrEqual(4);
    // While it was blocked: silence beyond the period, which is what systemd acts on.
    expect(Math.max(...gaps)).toBeGreaterThan(WATCHDOG_MS);
  });

  it('roadscan run says READY=1, pings while it scans, and STOPPING=1 on SIGTERM', async () => {
    const world = createDemoWorld(join(dir, 'authority'), Math.floor(Date.now() / 1000));
    const run = await harness.start({
      dir,
      events: false,
      env: env(),
      args: ['--scanner', 'pty', '--db', join(dir, 'run.db'), '--trust', world.trustFile],
    });
    await waitUntil(() => received.some((d) => d.text.includes('READY=1')) || undefined, 'READY=1', 20_000).catch(() => {
      throw new Error(`no READY=1; stderr: ${run.stderr()}`);
    });
    await waitUntil(() => pings().length >= 3 || undefined, 'three pings');
    expect(await run.stop('SIGTERM')).toBe(0);
    await waitUntil(() => received.some((d) => d.text.includes('STOPPING=1')) || undefined, 'STOPPING=1', 3000);
  });
});
