/**
 * Hostile-input fuzzer of the scan path. Feeds valid live codes mutated at the text and at the
 * byte level, random text, and decodable hostile codes (sim/authority/hostile-codes.ts: extreme
 * instants, fields at their caps, unknown and forged issuers), as they are and mutated, to
 * `ScanChecker.check` in every profile, and holds it to four rules: every input gets a verdict (no
 * exception), no control character reaches a displayed field, a mutated code is never let through
 * unless its signed content is byte-identical to the original's (COSE leaves the unprotected header
 * unsigned, so such a change is not a forgery), and no code of an unknown or forged issuer passes.
 * The authority is Ed25519 or SM2 (`ALG`): every seed, hostile code and mutant then carries
 * signatures of that algorithm.
 * Usage: node dist/scripts/bench/fuzz.js [COUNT=1000000] [SEED=1] [ALG=EdDSA|SM2]
 * @module
 */
import { deflateSync } from 'node:zlib';
import fc from 'fast-check';
import { base45Encode } from '../../firmware-ts/codec/base45.js';
import { decodeQrText } from '../../firmware-ts/codec/qr-text.js';
import { decodeCode } from '../../firmware-ts/codec/decode-presentation.js';
import { shippedChecker } from '../../firmware-ts/app/shipped-checker.js';
import { hostileCodes } from '../../sim/authority/hostile-codes.js';
import { TestAuthority } from '../../sim/authority/test-authority.js';
import { CREDENTIAL_TYPES } from '../../firmware-ts/codec/claims.js';
import type { SignatureAlg } from '../../firmware-ts/crypto/public-key.js';

const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:';

export interface FuzzReport {
  inputs: number;
  rejected: number;
  passedUnchanged: number;
  failures: string[];
  ms: number;
}

/** Signed content of a decoded code: what a mutation must not change to be let through. */
function signedContent(text: string): string | null {
  try {
    const d = decodeCode(text);
    const parts = [d.credentialCose.protectedBytes, d.credentialCose.payload, d.credentialCose.signature];
    if (d.presentation) parts.push(d.presentation.cose.protectedBytes, d.presentation.cose.payload, d.presentation.cose.signature);
    return parts.map((p) => Buffer.from(p).toString('hex')).join('.');
  } catch {
    return null;
  }
}

function mutateText(rng: () => number, text: string): string {
  const pick = <T>(s: ArrayLike<T>): T => s[Math.floor(rng() * s.length)]!;
  const i = 4 + Math.floor(rng() * (text.length - 4));
  switch (Math.floor(rng() * 6)) {
    case 0: {
      // Another character, never the same one: an unchanged text is no mutation.
      const others = ALPHABET.replace(text[i]!, '');
      return text.slice(0, i) + pick(others) + text.slice(i + 1);
    }
    case 1:
      return text.slice(0, i) + pick(ALPHABET) + text.slice(i);
    case 2:
      return text.slice(0, i) + text.slice(i + 1);
    case 3:
      return text.slice(0, i);
    case 4:
      return text.slice(0, i) + text.slice(i, i + 8) + text.slice(i);
    default:
      return pick(['rs1:', 'RS2:', 'RS1', ' RS1:', 'RS1:\u0000']) + text.slice(4);
  }
}

function mutateBytes(rng: () => number, text: string): string {
  const bytes = Buffer.from(decodeQrText(text));
  const n = 1 + Math.floor(rng() * 3);
  for (let k = 0; k < n; k++) {
    const at = Math.floor(rng() * bytes.length);
    bytes[at] = bytes[at]! ^ (1 << Math.floor(rng() * 8));
  }
  // Half the mutants go compressed, half raw: both paths of section 1 get fuzzed.
  return `RS1:${base45Encode(rng() < 0.5 ? deflateSync(bytes) : bytes)}`;
}

export function runFuzz(count: number, seed = 1, alg: SignatureAlg = 'EdDSA'): FuzzReport {
  const authority = TestAuthority.create(alg);
  const now = Math.floor(Date.now() / 1000);
  const checkers = (['window', 'roadside', 'gate'] as const).map((profile) => shippedChecker({ trust: authority.trustList(), profile, station: 'S110105001' }));
  const time = { nowSec: now, reliable: true };
  const seeds = CREDENTIAL_TYPES.flatMap((type) => [authority.code({ type, now }).text, authority.code({ type, now, compress: false, tagged: false }).text]);
  // Only those that decode: the others are MALFORMED before any rule, like the random inputs.
  const hostile = hostileCodes(authority, now).filter((h) => signedContent(h.text) !== null);
  const untrusted = new Set(hostile.filter((h) => h.issuer !== 'trusted').map((h) => h.text));
  const originals = new Map([...seeds, ...hostile.map((h) => h.text)].map((s) => [s, signedContent(s)]));
  const random = fc.sample(fc.string({ unit: 'binary', maxLength: 300 }), { seed, numRuns: Math.min(count, 50_000) });
  let state = seed >>> 0 || 1;
  const rng = () => (state = (Math.imul(state, 1664525) + 1013904223) >>> 0) / 2 ** 32;
  const report: FuzzReport = { inputs: 0, rejected: 0, passedUnchanged: 0, failures: [], ms: 0 };
  const started = performance.now();
  for (let i = 0; i < count; i++) {
    const kind = i % 6;
    // Kinds 4 and 5: a decodable hostile code as it is, and mutated.
    const base = kind >= 4 ? hostile[Math.floor(i / 6) % hostile.length]!.text : seeds[i % seeds.length]!;
    const input =
      kind === 4
        ? base
        : kind === 3
          ? random[i % random.length]!
          : kind === 2
            ? `RS1:${random[i % random.length]!}`
            : kind === 1 || kind === 5
              ? mutateBytes(rng, base)
              : mutateText(rng, base);
    report.inputs++;
    let result;
    try {
      result = checkers[i % checkers.length]!.check(input, time);
    } catch (err) {
      report.failures.push(`threw ${(err as Error).message} on ${JSON.stringify(input.slice(0, 80))}`);
      continue;
    }
    if (Object.values(result.fields).some((v) => CONTROL.test(v))) report.failures.push(`control character in fields for ${JSON.stringify(input.slice(0, 80))}`);
    if (untrusted.has(base) && result.verdict !== 'reject')
      report.failures.push(`code of an unknown or forged issuer let through (${result.verdict}): ${input.slice(0, 80)}`);
    if (result.verdict === 'reject') {
      report.rejected++;
    } else if (input !== base && signedContent(input) !== originals.get(base)) {
      report.failures.push(`mutated code let through (${result.verdict}): ${input.slice(0, 80)}`);
    } else {
      report.passedUnchanged++;
    }
    if (report.failures.length > 20) break;
  }
  report.ms = performance.now() - started;
  return report;
}

if (process.argv[1]?.endsWith('fuzz.js')) {
  const count = Number(process.argv[2] ?? 1_000_000);
  const r = runFuzz(count, Number(process.argv[3] ?? 1), process.argv[4] === 'SM2' ? 'SM2' : 'EdDSA');
  console.log(
    `fuzz: ${r.inputs} inputs in ${(r.ms / 1000).toFixed(1)} s (${Math.round((r.inputs / r.ms) * 1000)}/s): ${r.rejected} rejected, ${r.passedUnchanged} let through with identical signed content, ${r.failures.length} failures`,
  );
  for (const f of r.failures) console.log(`  FAIL ${f}`);
  process.exitCode = r.failures.length ? 1 : 0;
}
