/**
 * `roadscan` behaves as a Unix tool, through the built binary in real pipes and real processes:
 * a reader that goes away (`| head -1`, `| head -c 0`) ends a command quietly with its status; a
 * command that only reads creates nothing; `scanner list` and `doctor` speak JSON; a second
 * service on the same ports ends at once naming the port; a long `sim` command says how far it
 * is; SIGHUP and SIGUSR1 do not end (or open a debugger in) a running service; and a service
 * killed outright leaves no socat behind, its folder swept at the next start.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { beforeAll, describe, expect, it } from 'vitest';
import { createDemoWorld, type DemoWorld } from '../../sim/scenarios/demo.js';
import { freePorts } from '../../sim/station/local-cluster.js';
import { BIN, runCli } from '../helpers/cli.js';
import { runHarness } from '../helpers/run-harness.js';

const h = runHarness('all');
let dir: string;
let world: DemoWorld;

beforeAll(() => {
  dir = h.tempDir('roadscan-unix-');
  world = createDemoWorld(join(dir, 'authority'), Math.floor(Date.now() / 1000));
});

/** Runs `roadscan ARGS | READER` in bash; the status of roadscan, its standard error and what the reader printed. */
function piped(args: string[], reader: string, input?: string): { status: number; stderr: string; out: string } {
  const quoted = args.map((a) => `'${a.replaceAll("'", "'\\''")}'`).join(' ');
  const errFile = join(dir, `err-${Math.random().toString(36).slice(2)}`);
  const res = spawnSync(
    'bash',
    ['-c', `'${process.execPath}' '${BIN}' ${quoted} 2>'${errFile}' ${input ? `<'${input}'` : '</dev/null'} | ${reader}; echo "rc=\${PIPESTATUS[0]}"`],
    {
      encoding: 'utf8',
      timeout: 60_000,
    },
  );
  const m = /rc=(\d+)\n$/.exec(res.stdout);
  return { status: m ? Number(m[1]) : -1, stderr: readFileSync(errFile, 'utf8'), out: res.stdout.replace(/rc=\d+\n$/, '') };
}

/** Whether process `pid` is still there (a zombie counts as gone). */
function alive(pid: number): boolean {
  try {
    return !/^State:\s+Z/m.test(readFileSync(`/proc/${pid}/status`, 'utf8'));
  } catch {
    return false;
  }
}

describe('a closed pipe ends the command quietly', () => {
  it('--help | head -1 and | head -c 0: status 0, no stack', () => {
    const one = piped(['--help'], 'head -1');
    expect(one).toMatchObject({ status: 0, stderr: '' });
    expect(one.out).toMatch(/^Usage: roadscan/);
    // head -c 0 closes the pipe before the help is written: the write meets EPIPE.
    expect(piped(['--help'], 'head -c 0')).toEqual({ status: 0, stderr: '', out: '' });
  });

  it("verify ... | head -1: the verdict's status, no stack", () => {
    const args = ['verify', '--trust', world.trustFile, '--db', join(dir, 'verify.db'), 'RS1:not-a-code'];
    const one = piped(args, 'head -1');
    expect(one).toMatchObject({ status: 1, stderr: '' });
    expect(one.out).toMatch(/MALFORMED/);
    expect(piped(args, 'head -c 0')).toEqual({ status: 1, stderr: '', out: '' });
    const accepted = world.authority.code({ type: 'DL', now: Math.floor(Date.now() / 1000) }).text;
    const many = Array.from({ length: 2000 }, () => accepted).join('\n');
    writeFileSync(join(dir, 'codes.txt'), `${many}\n`);
    // One answer per line of standard input: the reader takes one and goes; the rest is not answered.
    const stream = piped(['verify', '--trust', world.trustFile, '--db', join(dir, 'verify.db')], 'head -1', join(dir, 'codes.txt'));
    expect(stream).toMatchObject({ status: 0, stderr: '' });
    expect(stream.out.split('\n')).toHaveLength(2);
  });
});

describe('read-only commands create nothing', () => {
  it('status --db /no/such/dir/x.db is an error naming it, exit 2, nothing made', async () => {
    const missing = join(dir, 'no', 'such', 'dir', 'x.db');
    const res = await runCli(['status', '--db', missing]);
    expect(res.code).toBe(2);
    expect(res.stdout).toBe('');
    expect(res.stderr).toBe(`roadscan: database ${missing}: no such directory ${join(dir, 'no', 'such', 'dir')}\n`);
    expect(existsSync(join(dir, 'no'))).toBe(false);
    const absent = join(dir, 'absent.db');
    const res2 = await runCli(['status', '--json', '--db', absent]);
    expect(res2.code).toBe(2);
    expect(res2.stderr).toMatch(/^roadscan: database .*absent\.db: not found/);
    expect(existsSync(absent)).toBe(false);
    expect(existsSync(`${absent}.status`)).toBe(false);
  });

  it('audit export --db on a missing file: exit 2, nothing made', async () => {
    const absent = join(dir, 'absent-audit.db');
    const res = await runCli(['audit', 'export', '--db', absent]);
    expect(res.code).toBe(2);
    expect(res.stderr).toMatch(/absent-audit\.db: not found/);
    expect(existsSync(absent)).toBe(false);
  });
});

describe('scanner list and doctor', () => {
  it('scanner list --json: the devices SerialPort.list() sees (or /dev, said), | head -1 status 0', async () => {
    const res = await runCli(['scanner', 'list', '--json']);
    expect(res.code).toBe(0);
    const listing = JSON.parse(res.stdout) as { source: string; ports: { path: string; byId: string | null; access: boolean }[] };
    expect(['udev', 'dev']).toContain(listing.source);
    for (const p of listing.ports) expect(p.path).toMatch(/^\/dev\//);
    expect(piped(['scanner', 'list'], 'head -1')).toMatchObject({ status: 0, stderr: '' });
  });

  it('doctor --hal sim --json: no serial device asked for is no fault; a missing database is one, and is not created', async () => {
    const cfg = join(dir, 'doctor.json');
    writeFileSync(cfg, JSON.stringify({ screen: { port: 0 }, health: { port: 0 } }));
    const absent = join(dir, 'doctor-absent.db');
    // A June instant: no calendar warning (that is the next test).
    const res = await runCli(['doctor', '--hal', 'sim', '--json', '--config', cfg, '--db', absent, '--trust', world.trustFile, '--now', '2026-06-01T00:00:00Z']);
    expect(res.stderr).toBe('');
    expect(res.code).toBe(1);
    const report = JSON.parse(res.stdout) as { ok: boolean; checks: { name: string; state: string; detail: string }[] };
    expect(report.ok).toBe(false);
    const state = (name: string) => report.checks.find((c) => c.name === name)?.state;
    expect(state('serial device')).toBe('note');
    expect(state('database')).toBe('fix');
    expect(state('trust anchor')).toBe('ok');
    expect(state('rules data')).toBe('ok');
    expect(report.checks.filter((c) => c.state === 'fix').map((c) => c.name)).toEqual(['database', 'status list']);
    expect(existsSync(absent)).toBe(false);
    expect(existsSync(`${absent}.status`)).toBe(false);
  });

  it("doctor repeats /healthz's calendar warning from 1 November, as a warning (exit unchanged)", async () => {
    const cfg = join(dir, 'doctor.json');
    const res = await runCli([
      'doctor',
      '--hal',
      'sim',
      '--json',
      '--config',
      cfg,
      '--db',
      join(dir, 'doctor-nov.db'),
      '--trust',
      world.trustFile,
      '--now',
      '2031-11-15T00:00:00Z',
    ]);
    const report = JSON.parse(res.stdout) as { checks: { name: string; state: string; detail: string }[] };
    const rules = report.checks.find((c) => c.name === 'rules data')!;
    expect(rules.state).toBe('warn');
    expect(rules.detail).toMatch(/no schedule for 2032/);
  });
});

describe('roadscan run as a service', () => {
  it('a second run on the same ports: exit 2, one line naming the port, never "service running"', async () => {
    const [screen, health] = (await freePorts(2)) as [number, number];
    const config = { screen: { enabled: true, host: '127.0.0.1', port: screen }, health: { enabled: true, host: '127.0.0.1', port: health } };
    const args = ['--trust', world.trustFile, '--db', join(dir, 'ports.db')];
    const first = await h.start({ config, args, events: false });
    await first.waitForLog(/health endpoint/);
    const second = await h.start({ config, args: ['--trust', world.trustFile, '--db', join(dir, 'ports-2.db')], events: false });
    const code = await Promise.race([second.exited, sleep(30_000).then(() => 'hung')]);
    expect(code).toBe(2);
    expect(second.stderr()).toBe(`roadscan: screen port 127.0.0.1:${screen} is already in use (another roadscan run?): stop it, or change screen.port\n`);
    // The health port alone taken: named too.
    const third = await h.start({
      config: { ...config, screen: { enabled: false } },
      args: ['--trust', world.trustFile, '--db', join(dir, 'ports-3.db')],
      events: false,
    });
    expect(await Promise.race([third.exited, sleep(30_000).then(() => 'hung')])).toBe(2);
    expect(third.stderr()).toMatch(new RegExp(`roadscan: health port 127\\.0\\.0\\.1:${health} is already in use`));
    expect(third.stderr()).not.toMatch(/service running/);
    expect(await first.stop()).toBe(0);
  });

  it('SIGHUP and SIGUSR1 are logged and ignored (no inspector); SIGTERM stops cleanly', async () => {
    const run = await h.start({
      config: { health: { enabled: true, host: '127.0.0.1', port: 0 } },
      args: ['--trust', world.trustFile, '--db', join(dir, 'hup.db')],
      events: false,
    });
    await run.waitForLog(/service running/);
    run.child.kill('SIGHUP');
    await run.waitForLog(/SIGHUP: nothing to reload/);
    run.child.kill('SIGUSR1');
    await run.waitForLog(/SIGUSR1 ignored/);
    expect((await run.health()).status).toBeDefined();
    expect(run.stderr()).not.toMatch(/Debugger listening/);
    expect(await run.stop('SIGTERM')).toBe(0);
  });

  it('run --scanner pty killed with SIGKILL: socat goes with it, its folder is swept at the next start', async () => {
    const tmp = h.tempDir('roadscan-ptytmp-');
    const args = ['--scanner', 'pty', '--trust', world.trustFile, '--db', join(dir, 'pty.db')];
    const run = await h.start({ args, events: false, env: { TMPDIR: tmp } });
    await run.waitForLog(/simulated scanner: write codes/);
    const pid = run.child.pid!;
    const children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).map(Number);
    const socat = children.find((c) => /socat/.test(readFileSync(`/proc/${c}/cmdline`, 'utf8')));
    expect(socat).toBeDefined();
    const folders = readdirSync(tmp).filter((n) => n.startsWith('roadscan-pty-'));
    expect(folders).toHaveLength(1);
    run.child.kill('SIGKILL');
    await run.exited;
    for (let i = 0; i < 200 && alive(socat!); i++) await sleep(50);
    expect(alive(socat!)).toBe(false);
    expect(readdirSync(tmp)).toEqual(folders);
    // The next start sweeps the folder the killed one could not remove.
    const next = await h.start({ args, events: false, env: { TMPDIR: tmp } });
    await next.waitForLog(/simulated scanner: write codes/);
    expect(readdirSync(tmp).filter((n) => folders.includes(n))).toEqual([]);
    expect(await next.stop()).toBe(0);
    expect(readdirSync(tmp)).toEqual([]);
  });
});

describe('long sim commands say how far they are', () => {
  it('sim publish-status --random 100000: phases and tenths on standard error, the result alone on standard output', async () => {
    const auth = join(dir, 'authority');
    const out = join(dir, 'published-progress');
    mkdirSync(out, { recursive: true });
    const res = await runCli(['sim', 'publish-status', '--dir', auth, '--out', out, '--random', '100000'], { timeoutMs: 120_000 });
    expect(res.code).toBe(0);
    expect(res.stdout).toMatch(/^published seq 1: snapshot snap-1\.bin \(100000 entries\)/);
    const lines = res.stderr.trimEnd().split('\n');
    expect(lines[0]).toBe('publish-status: making 100000 random keys');
    expect(lines).toContain('publish-status: 100000/100000 random keys (100%)');
    expect(lines.at(-1)).toBe('publish-status: writing the snapshot, the delta and the signed manifest');
    expect(lines.length).toBeLessThanOrEqual(14);
  });
});
