/**
 * `roadscan run` as a user runs it, for tests: the built binary in its own process, a socat pty
 * pair as its serial scanner, the JSON events of its standard output and the log lines of its
 * standard error, the health endpoint it names in its log, and a stop by signal with a bounded
 * wait. Each test file used to write this by hand; one copy means one place where a line split
 * across two reads, a line that is not JSON, a process that never exits or a temp folder left
 * behind by a failed test is handled.
 *
 * `runHarness()` registers its own clean-up (`afterEach`, or `afterAll` for a process started in
 * `beforeAll`): every process it started is killed and awaited, every pty pair stopped, every
 * temp folder removed, whether the test passed or not.
 * @module
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, afterEach } from 'vitest';
import { startPtyPair, type PtyPair } from '../../hal/scanner/pty-pair.js';
import { writeTo } from '../hal/helpers/events.js';
import { BIN } from './cli.js';

/** One line of `--events json` output; a line that is not JSON is kept as `{ event: '(not json)', line }`. */
export type RunEvent = Record<string, unknown> & { event?: unknown };
/** Which events `nextEvent` waits for: an event name, or a test on the whole event. */
export type EventMatch = string | ((e: RunEvent) => boolean);

/** What no test wants unless it says so: no operator screen and no health server fighting over ports. */
export const QUIET_CONFIG = { screen: { enabled: false }, health: { enabled: false } } as const;

export interface RunOptions {
  /** The folder of the run (its `config.json`, the pty links); a new temp folder when omitted. */
  dir?: string;
  /** Written to `dir/config.json` and passed as `--config`, over `QUIET_CONFIG` (top-level keys replace). */
  config?: Record<string, unknown>;
  /** A new socat pair at `dir/scanner` (passed as `--scanner`) and `dir/feeder` (where `send` writes). */
  scanner?: boolean;
  /** Arguments after `run --hal sim` (`--trust`, `--db`, `--now`, `--camera` ...). */
  args?: string[];
  /** Prints events as JSON lines (`--events json`); default true. */
  events?: boolean;
  env?: NodeJS.ProcessEnv;
  /** Standard input as a pipe, for the simulator's keys (`type`); otherwise ignored. */
  stdin?: boolean;
}

export interface RunningService {
  readonly child: ChildProcess;
  readonly dir: string;
  /** `dir/config.json`. */
  readonly configFile: string;
  /** The scanner's pty pair, or null (none asked for, or unplugged). */
  readonly pty: PtyPair | null;
  /** Every event printed so far, in order (what `nextEvent` returned included). */
  readonly events: readonly RunEvent[];
  /** Standard error so far (the log lines). */
  stderr(): string;
  /** All events of one kind so far. */
  of(name: string): RunEvent[];
  /** The earliest event not yet returned by `nextEvent` that matches; waits up to `timeoutMs`. Skips none. */
  nextEvent(match: EventMatch, timeoutMs?: number): Promise<RunEvent>;
  /** Waits until the log matches; returns the match. */
  waitForLog(pattern: RegExp, timeoutMs?: number): Promise<RegExpExecArray>;
  /** Writes bytes to the scanner's feeder end, as the scanner sends them (the test adds the terminator). */
  send(frame: string | Buffer): void;
  /** Types a line on standard input (needs `stdin: true`). */
  type(line: string): void;
  /** The parsed `/healthz` of the health server named in the log (needs `health.enabled`). */
  health(): Promise<{ status: string; problems: string[]; [key: string]: unknown }>;
  /** The value of one line of `/metrics` starting with `name`, NaN when absent. */
  metric(name: string): Promise<number>;
  /** Kills socat: the scanner is pulled out. */
  unplug(): Promise<void>;
  /** A new pair on the same paths: the scanner is plugged back in. */
  replug(): Promise<void>;
  /** Sends `signal` (SIGTERM) and waits up to `timeoutMs` for the exit code; past that kills and throws. */
  stop(signal?: NodeJS.Signals, timeoutMs?: number): Promise<number | null>;
  /** Resolves with the exit code when the process ends. */
  readonly exited: Promise<number | null>;
}

export interface RunHarness {
  /** A temp folder removed at clean-up. */
  tempDir(prefix: string): string;
  /** Starts `roadscan run --hal sim ...`; resolves once the pty pair (if any) exists and the process is spawned. */
  start(opts?: RunOptions): Promise<RunningService>;
  /** Something else to undo at clean-up (an unmount ...), run before the folders are removed. */
  onCleanup(fn: () => unknown): void;
  /** Kills what is left, stops the pairs, removes the folders; called by the hook it registered. */
  cleanup(): Promise<void>;
}

const DEFAULT_WAIT_MS = 20_000;
const STOP_WAIT_MS = 15_000;

/** A harness whose clean-up runs after each test (`each`) or after the file (`all`). */
export function runHarness(scope: 'each' | 'all' = 'each'): RunHarness {
  const dirs: string[] = [];
  const live: { child: ChildProcess; stopPty(): Promise<void> }[] = [];
  const undo: (() => unknown)[] = [];
  const harness: RunHarness = {
    tempDir(prefix) {
      const dir = mkdtempSync(join(tmpdir(), prefix));
      dirs.push(dir);
      return dir;
    },
    async start(opts = {}) {
      const dir = opts.dir ?? harness.tempDir('roadscan-run-');
      const service = await startService(dir, opts);
      live.push(service.handle);
      return service.running;
    },
    onCleanup(fn) {
      undo.push(fn);
    },
    async cleanup() {
      const failures: unknown[] = [];
      for (const { child, stopPty } of live.splice(0)) {
        try {
          if (child.exitCode === null && child.signalCode === null) {
            const gone = new Promise((r) => child.once('exit', r));
            child.kill('SIGKILL');
            await Promise.race([gone, sleep(5000)]);
          }
          await stopPty();
        } catch (e) {
          failures.push(e);
        }
      }
      for (const fn of undo.splice(0)) {
        try {
          await fn();
        } catch (e) {
          failures.push(e);
        }
      }
      for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
      if (failures.length > 0) throw failures[0];
    },
  };
  (scope === 'each' ? afterEach : afterAll)(() => harness.cleanup());
  return harness;
}

async function startService(dir: string, opts: RunOptions): Promise<{ running: RunningService; handle: { child: ChildProcess; stopPty(): Promise<void> } }> {
  const device = join(dir, 'scanner');
  const feeder = join(dir, 'feeder');
  let pty: PtyPair | null = opts.scanner ? await startPtyPair(device, feeder) : null;
  const configFile = join(dir, 'config.json');
  writeFileSync(configFile, JSON.stringify({ ...QUIET_CONFIG, ...opts.config }));
  const args = [BIN, 'run', '--hal', 'sim', ...(opts.scanner ? ['--scanner', device] : []), ...(opts.args ?? [])];
  if (opts.events !== false) args.push('--events', 'json');
  args.push('--config', configFile);
  const child = spawn(process.execPath, args, { env: { ...process.env, ...opts.env }, stdio: [opts.stdin ? 'pipe' : 'ignore', 'pipe', 'pipe'] });
  child.stdin?.on('error', () => {});

  const events: RunEvent[] = [];
  const taken = new Set<number>();
  let stderr = '';
  let partial = '';
  const take = (line: string) => {
    if (line.trim() === '') return;
    try {
      events.push(JSON.parse(line) as RunEvent);
    } catch {
      events.push({ event: '(not json)', line });
    }
  };
  child.stdout!.on('data', (d: Buffer) => {
    const complete = (partial + d.toString('utf8')).split('\n');
    partial = complete.pop() ?? '';
    for (const line of complete) take(line);
  });
  child.stdout!.on('end', () => {
    take(partial);
    partial = '';
  });
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
  let exitCode: number | null | undefined;
  const exited = new Promise<number | null>((resolve) => {
    child.once('exit', (code) => {
      exitCode = code;
      resolve(code);
    });
    child.once('error', () => resolve(null));
  });
  const tail = () => `\n--- stderr (last 1500 chars) ---\n${stderr.slice(-1500)}`;
  /** Polls `check` until it gives a value; fails at once when the process has ended. */
  const poll = async <T>(check: () => T | undefined, what: string, timeoutMs: number): Promise<T> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const v = check();
      if (v !== undefined) return v;
      if (exitCode !== undefined) {
        await sleep(50); // let the last output arrive
        const last = check();
        if (last !== undefined) return last;
        throw new Error(`roadscan run exited (${exitCode}) while waiting for ${what}${tail()}`);
      }
      if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${tail()}`);
      await sleep(5);
    }
  };
  const healthBase = async () =>
    (await poll(() => /"url":"(http:\/\/127\.0\.0\.1:\d+\/)healthz"/.exec(stderr)?.[1], 'the health endpoint in the log', DEFAULT_WAIT_MS)) as string;

  const running: RunningService = {
    child,
    dir,
    configFile,
    get pty() {
      return pty;
    },
    events,
    stderr: () => stderr,
    of: (name) => events.filter((e) => e.event === name),
    nextEvent(match, timeoutMs = DEFAULT_WAIT_MS) {
      const test = typeof match === 'string' ? (e: RunEvent) => e.event === match : match;
      const what = typeof match === 'string' ? `a "${match}" event` : `an event matching ${match.toString().slice(0, 120)}`;
      return poll(
        () => {
          for (let i = 0; i < events.length; i++) {
            if (!taken.has(i) && test(events[i]!)) {
              taken.add(i);
              return events[i];
            }
          }
          return undefined;
        },
        what,
        timeoutMs,
      );
    },
    waitForLog: (pattern, timeoutMs = DEFAULT_WAIT_MS) => poll(() => pattern.exec(stderr) ?? undefined, `a log line matching ${pattern}`, timeoutMs),
    send(frame) {
      if (!pty) throw new Error('no scanner pty (start with scanner: true, or replug)');
      writeTo(pty.feederPath, frame);
    },
    type(line) {
      if (!child.stdin) throw new Error('standard input is not a pipe (start with stdin: true)');
      child.stdin.write(`${line}\n`);
    },
    async health() {
      return (await fetch(`${await healthBase()}healthz`)).json() as never;
    },
    async metric(name) {
      const text = await (await fetch(`${await healthBase()}metrics`)).text();
      const line = text.split('\n').find((l) => l.startsWith(name));
      return Number(line?.split(' ').at(-1));
    },
    async unplug() {
      await pty?.stop();
      pty = null;
    },
    async replug() {
      pty ??= await startPtyPair(device, feeder);
    },
    async stop(signal = 'SIGTERM', timeoutMs = STOP_WAIT_MS) {
      child.stdin?.end();
      if (exitCode === undefined) child.kill(signal);
      const code = await Promise.race([exited, sleep(timeoutMs).then(() => 'late' as const)]);
      if (code === 'late') {
        child.kill('SIGKILL');
        throw new Error(`roadscan run did not exit within ${timeoutMs} ms of ${signal}${tail()}`);
      }
      return code;
    },
    exited,
  };
  return { running, handle: { child, stopPty: async () => running.unplug() } };
}

/** The demo's status list in a new database file a run then opens (sim/scenarios/demo.ts), under the name these tests know. */
export { syncDemoDatabase as syncedDemoDatabase } from '../../sim/scenarios/demo.js';
