/**
 * `roadscan run` under systemd, with the real pieces: a unix datagram socket as $NOTIFY_SOCKET
 * (socat receives what systemd's own `systemd-notify` sends, as systemd would) shows `STATUS=`
 * following the device: scanning, then "scanner lost" when the scanner's pseudo-terminal is
 * pulled, then scanning again when it is back. And the journal: standard error that is the
 * journal stream ($JOURNAL_STREAM names its device and inode) gets `<N>message key=value` lines a
 * person reads, or the JSON lines with ROADSCAN_LOG_FORMAT=json.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, fstatSync, openSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDemoWorld, syncDemoDatabase, type DemoWorld } from '../../sim/scenarios/demo.js';
import { BIN } from '../helpers/cli.js';
import { runHarness } from '../helpers/run-harness.js';

const h = runHarness('all');
let dir: string;
let world: DemoWorld;
const receivers: ChildProcess[] = [];

beforeAll(() => {
  dir = h.tempDir('roadscan-systemd-');
  world = createDemoWorld(join(dir, 'authority'), Math.floor(Date.now() / 1000));
});
afterAll(() => {
  for (const r of receivers) r.kill('SIGKILL');
});

/** A notify socket: every assignment received, in order (datagrams joined, split again at each key). */
async function notifySocket(path: string): Promise<{ lines(): string[] }> {
  let out = '';
  // One socat reads every datagram in turn (as systemd does, it takes no passed descriptor, so
  // systemd-notify's barrier ends at once).
  const r = spawn('socat', ['-u', `UNIX-RECV:${path}`, 'STDOUT'], { stdio: ['ignore', 'pipe', 'ignore'] });
  receivers.push(r);
  r.stdout.on('data', (d: Buffer) => (out += d.toString('utf8')));
  for (let i = 0; i < 100; i++) {
    try {
      if (statSync(path).isSocket()) break;
    } catch {
      // not there yet
    }
    await sleep(50);
  }
  return {
    lines: () =>
      out
        .split(/\n|(?=(?:READY|STATUS|WATCHDOG|STOPPING|BARRIER|ERRNO|MAINPID)=)/)
        .map((l) => l.trim())
        .filter((l) => l !== ''),
  };
}

async function waitFor<T>(what: string, check: () => T | undefined, timeoutMs = 30_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = check();
    if (v !== undefined) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

describe('systemd STATUS= follows the device', () => {
  it('scanning -> scanner lost on unplug -> scanning on replug', async () => {
    const sock = join(dir, 'notify.sock');
    const notify = await notifySocket(sock);
    // A synced list: the only thing wrong later is the scanner.
    const db = await syncDemoDatabase(world, join(dir, 'status.db'));
    const run = await h.start({ scanner: true, events: false, args: ['--trust', world.trustFile, '--db', db], env: { NOTIFY_SOCKET: sock } });
    const statuses = () => notify.lines().filter((l) => l.startsWith('STATUS='));
    await waitFor('READY=1', () => (notify.lines().includes('READY=1') ? true : undefined));
    const first = await waitFor('the first STATUS=', () => statuses()[0]);
    // A demo trust list may be past its `expires` (trust stale): the scanner is what this test moves.
    expect(first).toMatch(/^STATUS=(scanning|trust stale) \(roadside, scanner .*scanner\)$/);
    await run.unplug();
    const lost = await waitFor('STATUS=scanner lost', () => statuses().find((l) => l.startsWith('STATUS=scanner lost')));
    expect(lost).toMatch(/^STATUS=scanner lost(; trust stale)? \(roadside, scanner /);
    const before = statuses().length;
    await run.replug();
    const back = await waitFor('STATUS= back to the first', () =>
      statuses()
        .slice(before)
        .find((l) => l === first),
    );
    expect(back).toBe(first);
    await run.waitForLog(/"msg":"device state"/);
    expect(await run.stop()).toBe(0);
    await waitFor('STOPPING=1', () => (notify.lines().includes('STOPPING=1') ? true : undefined));
  });
});

describe('journal lines', () => {
  /** `roadscan run` whose standard error is "the journal stream" (a file named by JOURNAL_STREAM). */
  async function runIntoJournal(name: string, env: NodeJS.ProcessEnv): Promise<string> {
    const file = join(dir, `${name}.journal`);
    const fd = openSync(file, 'w');
    const st = fstatSync(fd);
    const child = spawn(
      process.execPath,
      [BIN, 'run', '--hal', 'sim', '--trust', world.trustFile, '--db', join(dir, `${name}.db`), '--config', join(dir, 'quiet.json')],
      {
        stdio: ['pipe', 'ignore', fd],
        env: { ...process.env, JOURNAL_STREAM: `${st.dev}:${st.ino}`, ...env },
      },
    );
    closeSync(fd);
    const exited = new Promise<number | null>((r) => child.once('exit', r));
    await waitFor('service running', () => (readFileSync(file, 'utf8').includes('service running') ? true : undefined));
    child.kill('SIGTERM');
    expect(await Promise.race([exited, sleep(20_000).then(() => 'hung')])).toBe(0);
    return readFileSync(file, 'utf8');
  }

  it('a person reads the message and its fields; JSON where asked', async () => {
    const { writeFileSync } = await import('node:fs');
    writeFileSync(join(dir, 'quiet.json'), JSON.stringify({ screen: { enabled: false }, health: { enabled: false } }));
    const text = await runIntoJournal('text', {});
    const lines = text.trimEnd().split('\n');
    expect(lines.every((l) => /^<[0-7]>/.test(l))).toBe(true);
    expect(lines).toContain('<6>service running hal=sim scanner="standard input" indicator=sim profile=roadside');
    expect(text).not.toMatch(/"level":/);
    const json = await runIntoJournal('json', { ROADSCAN_LOG_FORMAT: 'json' });
    const running = json.split('\n').find((l) => l.includes('service running'))!;
    expect(running.startsWith('<6>{')).toBe(true);
    expect(JSON.parse(running.slice(3))).toMatchObject({ level: 30, msg: 'service running', hal: 'sim' });
  });
});
