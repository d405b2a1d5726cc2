/**
 * SM2 with SM3 against Ed25519, in the same run (docs/CREDENTIALS.md section 2): the measurement
 * that chose the verifier (the SM2 libraries of the npm registry beside @noble/curves' arithmetic
 * with node:crypto's SM3, with and without the per-key window), and what an operator pays for it:
 * live codes per second through `roadscan verify --json` on standard input, SM2 codes (issuer
 * and holder SM2) against Ed25519 codes, same count, same machine, start-up included.
 * Goal: an SM2 live code costs at most 4x an Ed25519 one.
 * Usage: node dist/scripts/bench.js SM2   (BENCH_SM2_CODES=2000 by default)
 * @module
 */
import { spawn } from 'node:child_process';
import { createPublicKey, verify as cryptoVerify } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import smCrypto from 'sm-crypto';
import { sm2 as smV2 } from 'sm-crypto-v2';
import { Sm2PublicKey } from '../firmware-ts/crypto/sm2.js';
import { generateKey, signWith } from '../sim/authority/keys.js';
import { TestAuthority } from '../sim/authority/test-authority.js';
import type { BenchRow } from './bench-row.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const BIN = join(ROOT, 'bin', 'roadscan.js');

/** Calls per second of `fn` over `ms` milliseconds (at least 3 calls). */
function rate(fn: () => boolean, ms: number): number {
  let n = 0;
  const started = performance.now();
  while (n < 3 || performance.now() - started < ms) {
    if (!fn()) throw new Error('a signature did not verify');
    n++;
  }
  return (n / (performance.now() - started)) * 1000;
}

function signatureRates(): BenchRow[] {
  const msg = new Uint8Array(300).fill(7);
  const ed = generateKey('EdDSA');
  const edSig = signWith(ed, msg);
  const edKey = createPublicKey({ key: Buffer.concat([Buffer.from('302a300506032b6570032100', 'hex'), ed.publicKey]), format: 'der', type: 'spki' });
  const sm = generateKey('SM2');
  const smSig = signWith(sm, msg);
  const pubHex = Buffer.from(sm.publicKey).toString('hex');
  const sigHex = Buffer.from(smSig).toString('hex');
  const listed = Sm2PublicKey.fromBytes(sm.publicKey, { keep: true })!;
  const edRate = rate(() => cryptoVerify(null, msg, edKey, edSig), 1500);
  const rows: [string, number][] = [
    ['Ed25519, node:crypto (KeyObject cached)', edRate],
    ['SM2, @noble/curves + node SM3, trust-list key (precomputed window)', rate(() => listed.verify(msg, smSig), 1500)],
    ['SM2, @noble/curves + node SM3, holder key (point parsed, no window)', rate(() => Sm2PublicKey.fromBytes(sm.publicKey, { keep: false })!.verify(msg, smSig), 1500)],
    ['SM2, sm-crypto-v2 1.15.1 doVerifySignature', rate(() => smV2.doVerifySignature(msg, sigHex, pubHex, { hash: true }), 1500)],
    ['SM2, sm-crypto 0.5.8 doVerifySignature', rate(() => smCrypto.sm2.doVerifySignature(Array.from(msg), sigHex, pubHex, { hash: true }), 1500)],
  ];
  return rows.map(([name, value]) => ({ name: `${name}: verifies/s (x Ed25519 cost ${(edRate / value).toFixed(1)})`, value, unit: 'verifies/s' }));
}

function timeVerify(codesFile: string, trustFile: string, db: string, count: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, [BIN, 'verify', '--json', '--trust', trustFile, '--db', db], { stdio: ['pipe', 'pipe', 'ignore'] });
    let lines = 0;
    child.stdout.on('data', (d: Buffer) => {
      for (const b of d) if (b === 10) lines++;
    });
    child.stdin.end(readFileSync(codesFile));
    child.on('error', reject);
    child.on('close', () => (lines === count ? resolve(performance.now() - started) : reject(new Error(`verify answered ${lines} of ${count} lines`))));
  });
}

export async function runSm2Bench(count = Number(process.env.BENCH_SM2_CODES ?? 2000)): Promise<BenchRow[]> {
  const dir = mkdtempSync(join(tmpdir(), 'roadscan-bench-sm2-'));
  try {
    const now = Math.floor(Date.now() / 1000);
    const wall: Record<'EdDSA' | 'SM2', number> = { EdDSA: 0, SM2: 0 };
    for (const alg of ['EdDSA', 'SM2'] as const) {
      const authority = TestAuthority.create(alg);
      // 64 holders, as the main verify bench: a holder key is parsed afresh at every scan either way.
      const holders = Array.from({ length: 64 }, () => generateKey(alg));
      const lines = Array.from({ length: count }, (_, i) => authority.code({ type: i % 3 ? 'DL' : 'VR', now, holder: holders[i % 64] }).text);
      writeFileSync(join(dir, `${alg}.txt`), `${lines.join('\n')}\n`);
      writeFileSync(join(dir, `${alg}.json`), JSON.stringify(authority.trustList()));
    }
    // Interleaved, best of 3 each: a machine that drifts moves both.
    const best: Record<'EdDSA' | 'SM2', number> = { EdDSA: Infinity, SM2: Infinity };
    for (let i = 0; i < 3; i++) {
      for (const alg of ['EdDSA', 'SM2'] as const) {
        best[alg] = Math.min(best[alg], await timeVerify(join(dir, `${alg}.txt`), join(dir, `${alg}.json`), join(dir, `${alg}-${i}.db`), count));
      }
    }
    wall.EdDSA = best.EdDSA;
    wall.SM2 = best.SM2;
    return [
      ...signatureRates(),
      { name: `roadscan verify --json, ${count} Ed25519 live codes on stdin (best of 3)`, value: (count / wall.EdDSA) * 1000, unit: 'codes/s' },
      { name: `roadscan verify --json, ${count} SM2 live codes on stdin (best of 3)`, value: (count / wall.SM2) * 1000, unit: 'codes/s' },
      { name: 'SM2 live code cost / Ed25519 live code cost, start-up included (goal <= 4)', value: wall.SM2 / wall.EdDSA, unit: 'ratio' },
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
