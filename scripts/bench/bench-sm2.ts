/**
 * SM2 with SM3 against Ed25519, in the same run (docs/CREDENTIALS.md section 2): the measurement
 * that chose the verifier (OpenSSL's SM2 through node:crypto, the @noble/curves arithmetic with
 * node:crypto's SM3, and the SM2 libraries of the npm registry, each for a trust-list key kept
 * and a holder key made afresh), and what an operator pays for it: live codes through
 * `roadscan verify --json` on standard input, SM2 codes (issuer and holder SM2) against Ed25519
 * codes, same count, interleaved rounds, wall and CPU time, start-up measured apart.
 * Goal: an SM2 live code costs at most 4x an Ed25519 one.
 * Every figure is also a ratio to the Ed25519 one of the same run; the load average is printed,
 * since on a shared machine wall time also counts the time this one waited.
 * Usage: node dist/scripts/bench/bench.js SM2   (BENCH_SM2_CODES=2000 by default)
 * @module
 */
import { spawn } from 'node:child_process';
import { createPublicKey, verify as cryptoVerify } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import smCrypto from 'sm-crypto';
import { sm2 as smV2 } from 'sm-crypto-v2';
import { type Sm2Engine, Sm2PublicKey } from '../../firmware-ts/crypto/sm2.js';
import { generateKey, signWith } from '../../sim/authority/keys.js';
import { TestAuthority } from '../../sim/authority/test-authority.js';
import type { BenchRow } from './bench-row.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const BIN = join(ROOT, 'bin', 'roadscan.js');

/** Wall and CPU milliseconds per call of `fn`, over about `ms` milliseconds (at least 3 calls). */
function perCall(fn: () => boolean, ms: number): { wall: number; cpu: number } {
  let n = 0;
  const cpu = process.cpuUsage();
  const started = performance.now();
  while (n < 3 || performance.now() - started < ms) {
    if (!fn()) throw new Error('a signature did not verify');
    n++;
  }
  const wall = performance.now() - started;
  const used = process.cpuUsage(cpu);
  return { wall: wall / n, cpu: (used.user + used.system) / 1000 / n };
}

function signatureRows(): BenchRow[] {
  const msg = new Uint8Array(300).fill(7);
  const ed = generateKey('EdDSA');
  const edSig = signWith(ed, msg);
  const edKey = createPublicKey({ key: Buffer.concat([Buffer.from('302a300506032b6570032100', 'hex'), ed.publicKey]), format: 'der', type: 'spki' });
  const sm = generateKey('SM2');
  const smSig = signWith(sm, msg);
  const pubHex = Buffer.from(sm.publicKey).toString('hex');
  const sigHex = Buffer.from(smSig).toString('hex');
  const kept = (engine: Sm2Engine) => {
    const key = Sm2PublicKey.fromBytes(sm.publicKey, { keep: true })!;
    return () => key.verify(msg, smSig, engine);
  };
  const fresh = (engine: Sm2Engine) => () => Sm2PublicKey.fromBytes(sm.publicKey, { keep: false })!.verify(msg, smSig, engine);
  const candidates: [string, () => boolean][] = [
    ['Ed25519, node:crypto (KeyObject kept)', () => cryptoVerify(null, msg, edKey, edSig)],
    ['SM2, OpenSSL via node:crypto, trust-list key (kept)', kept('openssl')],
    ['SM2, OpenSSL via node:crypto, holder key (made afresh)', fresh('openssl')],
    ['SM2, @noble/curves + node SM3, trust-list key (window)', kept('noble')],
    ['SM2, @noble/curves + node SM3, holder key (made afresh)', fresh('noble')],
    ['SM2, sm-crypto-v2 1.15.1 doVerifySignature', () => smV2.doVerifySignature(msg, sigHex, pubHex, { hash: true })],
    ['SM2, sm-crypto 0.5.8 doVerifySignature', () => smCrypto.sm2.doVerifySignature(Array.from(msg), sigHex, pubHex, { hash: true })],
  ];
  // Interleaved rounds, the fastest of each: a machine that drifts moves them all alike.
  const best = candidates.map(() => ({ wall: Infinity, cpu: Infinity }));
  for (const fn of candidates.map(([, f]) => f)) for (let i = 0; i < 5; i++) fn(); // warm-up, the trust-list windows built
  for (let round = 0; round < 3; round++) {
    candidates.forEach(([, fn], i) => {
      const m = perCall(fn, 400);
      best[i] = { wall: Math.min(best[i]!.wall, m.wall), cpu: Math.min(best[i]!.cpu, m.cpu) };
    });
  }
  const ed25519 = best[0]!;
  return candidates.map(([name], i) => ({
    name: `${name}: us a verify (x Ed25519: wall ${(best[i]!.wall / ed25519.wall).toFixed(1)}, CPU ${(best[i]!.cpu / ed25519.cpu).toFixed(1)}; CPU ${(best[i]!.cpu * 1000).toFixed(0)} us)`,
    value: best[i]!.wall * 1000,
    unit: 'us',
  }));
}

/** CPU seconds of this process's waited-for children (Linux /proc/self/stat cutime + cstime), or NaN. */
function childrenCpuSec(): number {
  if (!existsSync('/proc/self/stat')) return Number.NaN;
  const stat = readFileSync('/proc/self/stat', 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // Fields 16 and 17 of proc(5), in clock ticks (USER_HZ, 100 on Linux).
  return (Number(f[13]) + Number(f[14])) / 100;
}

/** Wall and CPU milliseconds of one `roadscan verify --json` answering the `count` codes of `codesFile`. */
function timeVerify(codesFile: string, trustFile: string, db: string, count: number): Promise<{ wall: number; cpu: number }> {
  return new Promise((resolve, reject) => {
    const cpuBefore = childrenCpuSec();
    const started = performance.now();
    const child = spawn(process.execPath, [BIN, 'verify', '--json', '--trust', trustFile, '--db', db], { stdio: ['pipe', 'pipe', 'ignore'] });
    let lines = 0;
    child.stdout.on('data', (d: Buffer) => {
      for (const b of d) if (b === 10) lines++;
    });
    child.stdin.end(readFileSync(codesFile));
    child.on('error', reject);
    child.on('close', () => {
      const wall = performance.now() - started;
      // 'close' comes after the child was waited for, so its CPU time is in cutime by now.
      if (lines === count) resolve({ wall, cpu: (childrenCpuSec() - cpuBefore) * 1000 });
      else reject(new Error(`verify answered ${lines} of ${count} lines`));
    });
  });
}

export async function runSm2Bench(count = Number(process.env.BENCH_SM2_CODES ?? 2000)): Promise<BenchRow[]> {
  const dir = mkdtempSync(join(tmpdir(), 'roadscan-bench-sm2-'));
  try {
    const loadBefore = loadavg()[0]!;
    const now = Math.floor(Date.now() / 1000);
    for (const alg of ['EdDSA', 'SM2'] as const) {
      const authority = TestAuthority.create(alg);
      // 64 holders, as the main verify bench: a holder key is parsed afresh at every scan either way.
      const holders = Array.from({ length: 64 }, () => generateKey(alg));
      const lines = Array.from({ length: count }, (_, i) => authority.code({ type: i % 3 ? 'DL' : 'VR', now, holder: holders[i % 64] }).text);
      writeFileSync(join(dir, `${alg}.txt`), `${lines.join('\n')}\n`);
      writeFileSync(join(dir, `${alg}.json`), JSON.stringify(authority.trustList()));
    }
    writeFileSync(join(dir, 'none.txt'), '');
    // Interleaved rounds, the fastest of each (wall and CPU apart): a machine that drifts moves
    // all three alike, and another process can only add time to a run, never take it away.
    const runs = { EdDSA: [] as { wall: number; cpu: number }[], SM2: [] as { wall: number; cpu: number }[], none: [] as { wall: number; cpu: number }[] };
    for (let i = 0; i < 3; i++) {
      for (const alg of ['EdDSA', 'SM2'] as const)
        runs[alg].push(await timeVerify(join(dir, `${alg}.txt`), join(dir, `${alg}.json`), join(dir, `${alg}-${i}.db`), count));
      runs.none.push(await timeVerify(join(dir, 'none.txt'), join(dir, 'SM2.json'), join(dir, `none-${i}.db`), 0));
    }
    const best = (alg: keyof typeof runs) => ({ wall: Math.min(...runs[alg].map((r) => r.wall)), cpu: Math.min(...runs[alg].map((r) => r.cpu)) });
    const ed = best('EdDSA');
    const sm = best('SM2');
    const start = best('none');
    const perCode = (t: { wall: number; cpu: number }) => ({ wall: t.wall / count, cpu: t.cpu / count });
    const marginal = (t: { wall: number; cpu: number }) => ({ wall: (t.wall - start.wall) / count, cpu: (t.cpu - start.cpu) / count });
    const edCode = perCode(ed);
    const smCode = perCode(sm);
    const rows: BenchRow[] = [
      { name: 'load average (1 min) at the start, 2 cores', value: loadBefore, unit: '' },
      ...signatureRows(),
      { name: `roadscan verify --json, ${count} Ed25519 live codes on stdin (fastest of 3)`, value: (count / ed.wall) * 1000, unit: 'codes/s' },
      { name: `roadscan verify --json, ${count} SM2 live codes on stdin (fastest of 3)`, value: (count / sm.wall) * 1000, unit: 'codes/s' },
      { name: '  Ed25519 live code, start-up shared in: wall', value: edCode.wall, unit: 'ms' },
      { name: '  Ed25519 live code, start-up shared in: CPU', value: edCode.cpu, unit: 'ms cpu' },
      { name: '  SM2 live code, start-up shared in: wall', value: smCode.wall, unit: 'ms' },
      { name: '  SM2 live code, start-up shared in: CPU', value: smCode.cpu, unit: 'ms cpu' },
      { name: '  start-up of roadscan verify (no code): wall / CPU', value: start.wall, unit: `ms / ${start.cpu.toFixed(0)} ms cpu` },
      { name: 'SM2 live code cost / Ed25519 live code cost, start-up included, wall (goal <= 4)', value: sm.wall / ed.wall, unit: 'ratio' },
      { name: 'SM2 live code cost / Ed25519 live code cost, start-up included, CPU (goal <= 4)', value: sm.cpu / ed.cpu, unit: 'ratio' },
      { name: 'same, start-up taken out (a code more in a running verify), CPU', value: marginal(sm).cpu / marginal(ed).cpu, unit: 'ratio' },
      { name: 'load average (1 min) at the end', value: loadavg()[0]!, unit: '' },
    ];
    return rows.filter((r) => Number.isFinite(r.value));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
