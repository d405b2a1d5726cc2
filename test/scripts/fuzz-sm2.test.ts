/**
 * The fuzzer with an SM2 authority (every seed, hostile code and mutant SM2-signed), and the
 * rule that an input that cannot be an SM2 signature (r or s outside [1, n-1], r + s = n, a header
 * and a key of different algorithms, a holder point off the curve) never reaches the curve
 * arithmetic: counted (`curveWork()`) through the checker, as the appliance runs it.
 */
import { deflateSync } from 'node:zlib';
import { Tag } from 'cbor-x';
import { describe, expect, it } from 'vitest';
import { shippedChecker } from '../../firmware-ts/app/shipped-checker.js';
import { base45Encode } from '../../firmware-ts/codec/base45.js';
import { decodeCbor, encodeCbor } from '../../firmware-ts/codec/cbor.js';
import { decodeQrText } from '../../firmware-ts/codec/qr-text.js';
import { curveWork, SM2_CURVE } from '../../firmware-ts/crypto/sm2.js';
import { runFuzz } from '../../scripts/bench/fuzz.js';
import { generateKey } from '../../sim/authority/keys.js';
import { TestAuthority } from '../../sim/authority/test-authority.js';

const be32 = (v: bigint) => Buffer.from(v.toString(16).padStart(64, '0'), 'hex');

type Sign1 = [Uint8Array, Map<unknown, unknown>, Uint8Array, Uint8Array];

/** The live code with its holder and issuer signatures replaced. */
function withSignatures(text: string, holderSig: Uint8Array, issuerSig: Uint8Array): string {
  const outer = decodeCbor(decodeQrText(text)) as Tag;
  const o = outer.value as Sign1;
  const payload = decodeCbor(o[2]) as Map<unknown, unknown>;
  const inner = decodeCbor(payload.get('vp') as Uint8Array) as Tag;
  (inner.value as Sign1)[3] = issuerSig;
  payload.set('vp', encodeCbor(inner));
  const cose = encodeCbor(new Tag([o[0], o[1], encodeCbor(payload), holderSig], 18));
  return `RS1:${base45Encode(deflateSync(cose))}`;
}

describe('fuzz with SM2 codes (small CI budget)', () => {
  it('answers 3,000 hostile inputs with no exception, no control character and no mutated code let through', () => {
    const report = runFuzz(3_000, 11, 'SM2');
    expect(report.failures).toEqual([]);
    expect(report.inputs).toBe(3_000);
    expect(report.rejected).toBeGreaterThan(2_800);
  });

  it('signatures that cannot be SM2 ones (r or s outside [1, n-1]) are refused before any curve arithmetic', () => {
    const now = Math.floor(Date.parse('2026-11-20T10:00:00+08:00') / 1000);
    const authority = TestAuthority.create('SM2');
    const checker = shippedChecker({ trust: authority.trustList(), profile: 'roadside', region: '110105' });
    const text = authority.code({ type: 'DL', now }).text;
    const time = { nowSec: now, reliable: true };
    expect(checker.check(text, time).reasons).toEqual(['STATUS_LIST_STALE']);
    const n = be32(SM2_CURVE.n);
    const real = decodeQrText(text);
    expect(real.length).toBeGreaterThan(0);
    const impossible = [Buffer.alloc(64), Buffer.alloc(64, 0xff), Buffer.concat([n, be32(1n)]), Buffer.concat([be32(1n), n]), Buffer.concat([be32(0n), be32(5n)])];
    const before = curveWork();
    for (const holder of impossible) {
      for (const issuer of impossible) {
        const r = checker.check(withSignatures(text, holder, issuer), time);
        expect(r.reasons.slice(0, 2)).toEqual(['BAD_SIGNATURE', 'BAD_HOLDER_SIGNATURE']);
      }
    }
    expect(curveWork()).toBe(before);
  });

  it('r + s = n, a header naming the other algorithm than the key, a holder point off the curve: refused before any curve arithmetic', () => {
    const now = Math.floor(Date.parse('2026-11-20T10:00:00+08:00') / 1000);
    const time = { nowSec: now, reliable: true };
    const sm2 = TestAuthority.create('SM2');
    const ed = TestAuthority.create('EdDSA');
    const sm2Checker = shippedChecker({ trust: sm2.trustList(), profile: 'roadside', region: '110105' });
    const edChecker = shippedChecker({ trust: ed.trustList(), profile: 'roadside', region: '110105' });
    const n = SM2_CURVE.n;
    const tZero = Buffer.concat([be32(1n), be32(n - 1n)]);
    const tZero2 = Buffer.concat([be32(n - 5n), be32(5n)]);
    const edHolder = generateKey('EdDSA');
    const sm2Holder = generateKey('SM2');
    const offCurve = Buffer.from(sm2Holder.publicKey);
    offCurve[64]! ^= 1;
    const before = curveWork();
    // t = r + s mod n = 0, both signatures.
    const text = sm2.code({ type: 'DL', now }).text;
    expect(sm2Checker.check(withSignatures(text, tZero, tZero2), time).reasons.slice(0, 2)).toEqual(['BAD_SIGNATURE', 'BAD_HOLDER_SIGNATURE']);
    // The SM2 issuer's header names EdDSA (its holder is an Ed25519 phone): no SM2 arithmetic.
    expect(sm2Checker.check(sm2.code({ type: 'DL', now, flaw: 'alg-mismatch', holder: edHolder }).text, time).reasons[0]).toBe('BAD_SIGNATURE');
    // An SM2 holder key under an Ed25519 issuer, its live code's header naming EdDSA.
    expect(edChecker.check(ed.code({ type: 'DL', now, flaw: 'holder-alg-mismatch', holder: sm2Holder }).text, time).reasons[0]).toBe('BAD_HOLDER_SIGNATURE');
    // The credential's holder point is off the curve (shown bare: no phone can sign for such a key): the code does not decode.
    expect(edChecker.check(ed.code({ type: 'DL', now, live: false, holder: { ...sm2Holder, publicKey: offCurve } }).text, time).reasons[0]).toBe('MALFORMED');
    expect(curveWork()).toBe(before);
    // The same checkers do reach it for a sound SM2 code (the count is not vacuous).
    expect(edChecker.check(ed.code({ type: 'DL', now, holder: sm2Holder }).text, time).reasons).toEqual(['STATUS_LIST_STALE']);
    expect(curveWork()).toBe(before + 1);
  });
});
