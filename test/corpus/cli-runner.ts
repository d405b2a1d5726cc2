/**
 * Runs the real `roadscan verify --json` as a child process, feeding lines on standard input,
 * exactly as a script or an acceptance check would.
 * @module
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BIN = fileURLToPath(new URL('../../bin/roadscan.js', import.meta.url));

/** Neither UTC nor UTC+8, and a calendar day behind CST for 16 hours of each day. */
export const HOST_TIME_ZONE = 'America/Los_Angeles';

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** stdout split into lines (the final newline does not make an empty line). */
  lines: string[];
}

/**
 * `node bin/roadscan.js verify --json <args>` with `input` on stdin; kills the child after `timeoutMs`.
 * Runs in the America/Los_Angeles time zone unless told otherwise: the spec's dates are CST, so an
 * answer that depends on the host's zone shows up as a disagreement wherever the tests run.
 */
export function runVerify(args: string[], input: string | Buffer, timeoutMs = 50_000, env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, 'verify', '--json', ...args], {
      cwd: REPO_ROOT,
      stdio: ['pipe', 'pipe', 'pipe'],
      env: { ...process.env, NO_COLOR: '1', TZ: HOST_TIME_ZONE, ...env },
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.stdin.on('error', () => undefined);
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const stdout = Buffer.concat(out).toString('utf8');
      const lines = stdout.length === 0 ? [] : stdout.replace(/\n$/, '').split('\n');
      resolve({ code, signal, stdout, stderr: Buffer.concat(err).toString('utf8'), lines });
    });
    child.stdin.end(input);
  });
}

/** Input lines joined for stdin, each ending with a newline. */
export function stdinOf(lines: readonly string[]): string {
  return lines.map((l) => l + '\n').join('');
}

/** A Node stack trace or an uncaught error report. */
export function looksLikeStackTrace(text: string): boolean {
  return /\n\s+at .+[:(]\d+:\d+\)?/.test(text) || /^\s+at /m.test(text) || /Uncaught|UnhandledPromiseRejection|node:internal/.test(text);
}
