/**
 * Benchmarks of the scan path: `roadscan verify` on standard input against the least-work loop
 * (same codes, same run, start-up included), @noble/ed25519 against node:crypto, the cold start
 * of `roadscan verify TEXT`, and the RSS of a long run.
 * @module
 */
import { spawn } from 'node:child_process';
import { verify as cryptoVerify, createPublicKey } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ed } from '../../sim/authority/noble.js';
import { generateKey, signWith } from '../../sim/authority/keys.js';
import { TestAuthority } from '../../sim/authority/test-authority.js';
import type { BenchRow } from './bench-row.js';
import { median } from './bench-stats.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const BIN = join(ROOT, 'bin', 'roadscan.js');

interface RunStats {
  wallMs: number;
  peakRssMb: number;
  stdoutLines: number;
}

/** Runs a node script with a file on stdin; wall time from spawn to exit, peak RSS from /proc. */
function timeNode(args: string[], stdinFile?: string): Promise<RunStats> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, args, { stdio: [stdinFile ? 'pipe' : 'ignore', 'pipe', 'ignore'] });
    let lines = 0;
    let peak = 0;
    const poll = setInterval(() => {
      try {
        const m = /VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
        if (m) peak = Math.max(peak, Number(m[1]) / 1024);
      } catch {
        /* exited */
      }
    }, 20);
    child.stdout!.on('data', (d: Buffer) => {
      for (const b of d) if (b === 10) lines++;
    });
    if (stdinFile) child.stdin!.end(readFileSync(stdinFile));
    child.on('error', reject);
    child.on('close', () => {
      clearInterval(poll);
      resolve({ wallMs: performance.now() - started, peakRssMb: peak, stdoutLines: lines });
    });
  });
}

/** Spawn to the first `scanner open` event of `roadscan run --hal sim`: the service is ready to scan. */
function timeToReady(args: string[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, [BIN, 'run', '--hal', 'sim', '--scanner', 'pty', '--events', 'json', ...args], { stdio: ['ignore', 'pipe', 'ignore'] });
    let buf = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error('roadscan run did not get ready within 30 s'));
    }, 30_000);
    child.stdout!.on('data', (d: Buffer) => {
      buf += d.toString();
      if (/"event":"scanner","state":"open"/.test(buf)) {
        const ms = performance.now() - started;
        clearTimeout(timer);
        child.once('close', () => resolve(ms));
        child.kill('SIGTERM');
      }
    });
    child.on('error', reject);
  });
}

function signatureRates(): { noble: number; node: number } {
  const key = generateKey();
  const msg = new Uint8Array(300).fill(7);
  const sig = signWith(key, msg);
  const keyObject = createPublicKey({ key: Buffer.concat([Buffer.from('302a300506032b6570032100', 'hex'), key.publicKey]), format: 'der', type: 'spki' });
  const rate = (fn: () => boolean, ms: number) => {
    let n = 0;
    const end = performance.now() + ms;
    while (performance.now() < end) if (fn()) n++;
    return (n / ms) * 1000;
  };
  return {
    noble: rate(() => ed.verify(sig, msg, key.publicKey), 1500),
    node: rate(() => cryptoVerify(null, msg, keyObject, sig), 1500),
  };
}

export async function runVerifyBench(count = Number(process.env.BENCH_CODES ?? 20000)): Promise<BenchRow[]> {
  const dir = mkdtempSync(join(tmpdir(), 'roadscan-bench-'));
  try {
    const authority = TestAuthority.create();
    const now = Math.floor(Date.now() / 1000);
    const holders = Array.from({ length: 64 }, generateKey);
    const lines: string[] = [];
    for (let i = 0; i < count; i++) lines.push(authority.code({ type: i % 3 ? 'DL' : 'VR', now, holder: holders[i % holders.length] }).text);
    const codes = join(dir, 'codes.txt');
    const trust = join(dir, 'trust.json');
    writeFileSync(codes, `${lines.join('\n')}\n`);
    writeFileSync(trust, JSON.stringify(authority.trustList()));

    const loop = await timeNode([join(ROOT, 'dist', 'scripts', 'bench', 'least-work-loop.js'), codes, trust]);
    const verifyRun = await timeNode([BIN, 'verify', '--json', '--trust', trust, '--db', join(dir, 'v.db')], codes);
    if (verifyRun.stdoutLines !== count) throw new Error(`verify answered ${verifyRun.stdoutLines} of ${count} lines`);
    // Cold start paired with a bare `node -e 0` run by run, so a machine that drifts moves both.
    const cold: number[] = [];
    const coldRatio: number[] = [];
    for (let i = 0; i < 9; i++) {
      const bare = (await timeNode(['-e', '0'])).wallMs;
      const ms = (await timeNode([BIN, 'verify', '--trust', trust, '--db', join(dir, 'v.db'), lines[i]!])).wallMs;
      cold.push(ms);
      coldRatio.push(ms / bare);
    }
    const config = join(dir, 'run.json');
    writeFileSync(config, JSON.stringify({ screen: { enabled: false }, health: { enabled: false } }));
    const ready: number[] = [];
    for (let i = 0; i < 5; i++) ready.push(await timeToReady(['--config', config, '--trust', trust, '--db', join(dir, 'run.db')]));
    const rates = signatureRates();
    return [
      { name: `least-work loop, ${count} live codes (Base45+inflate+CBOR+2 Ed25519)`, value: loop.wallMs, unit: 'ms wall' },
      { name: `roadscan verify --json, ${count} live codes on stdin`, value: verifyRun.wallMs, unit: 'ms wall' },
      { name: 'verify / least-work loop (target <= 1.5)', value: verifyRun.wallMs / loop.wallMs, unit: 'ratio' },
      { name: 'verify throughput', value: (count / verifyRun.wallMs) * 1000, unit: 'codes/s' },
      { name: `peak RSS of verify over ${count} codes`, value: verifyRun.peakRssMb, unit: 'MB' },
      { name: 'cold start: roadscan verify TEXT, median of 9 (target <= 250)', value: median(cold), unit: 'ms wall' },
      { name: 'cold start / node -e 0, paired, median of 9 (target <= 1.8)', value: median(coldRatio), unit: 'ratio' },
      { name: 'time to ready: roadscan run --hal sim to scanner open, median of 5', value: median(ready), unit: 'ms wall' },
      { name: 'Ed25519 verify, node:crypto (KeyObject cached)', value: rates.node, unit: 'verifies/s' },
      { name: 'Ed25519 verify, @noble/ed25519', value: rates.noble, unit: 'verifies/s' },
      { name: 'node:crypto / @noble/ed25519', value: rates.node / rates.noble, unit: 'ratio' },
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
