/**
 * SM2 with SM3 (firmware-ts/crypto/sm2.ts) against the spec's known answers (docs/vectors.json,
 * `sm2`): SM3, Z, e and every SM2 signature of the vectors; the keys derived from their seeds;
 * the refusals of keys that are not points of the curve; and a signature that cannot be one
 * (r or s outside [1, n-1], r + s = n, not 64 bytes) refused before any curve arithmetic, counted.
 * Every signature under both engines (OpenSSL's and @noble/curves').
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { curveWork, SM2_CURVE, Sm2PublicKey, sm2PublicKeyOf, sm2Sign, sm2Z } from '../../../firmware-ts/crypto/sm2.js';
import { kidOf } from '../../../firmware-ts/verify/kid.js';
import { hex, type Sm2KeyName, type Sm2Stage, vectors } from '../../helpers/vectors.js';

const sm2 = vectors.sm2;
const keyOf = (name: Sm2KeyName) => Sm2PublicKey.fromBytes(hex(sm2.keys[name].publicKey), { keep: false })!;
const be32 = (v: bigint) => Buffer.from(v.toString(16).padStart(64, '0'), 'hex');

/** Every SM2-signed stage of the vectors, with whether its signature is meant to verify. */
function sm2Stages(): { where: string; stage: Sm2Stage; valid: boolean }[] {
  const out: { where: string; stage: Sm2Stage; valid: boolean }[] = [];
  for (const v of sm2.vectors) {
    for (const [part, stage] of Object.entries(v.stages) as [string, Sm2Stage][]) {
      if (!(stage.signer in sm2.keys)) continue;
      const flipped = (v.name.includes('bad-issuer') && part === 'credential') || (v.name.includes('bad-holder') && part === 'presentation');
      out.push({ where: `${v.name} ${part}`, stage, valid: !flipped });
    }
  }
  out.push({ where: 'status-list manifest', stage: sm2.statusList.manifest, valid: true });
  for (const c of sm2.signedDocuments.cases) {
    for (const s of c.document.signatures)
      out.push({ where: `${c.name} ${s.signer}`, stage: { ...s, payload: '', protected: s.signProtected, cose: '', body: '' }, valid: true });
  }
  return out;
}

describe('SM2 with SM3: the spec vectors', () => {
  it('the curve is the one the vectors give', () => {
    const c = sm2.curve;
    expect([SM2_CURVE.p, SM2_CURVE.a, SM2_CURVE.b, SM2_CURVE.n, SM2_CURVE.Gx, SM2_CURVE.Gy].map((v) => v.toString(16))).toEqual(
      [c.p, c.a, c.b, c.n, c.gx, c.gy].map((h) => BigInt(`0x${h}`).toString(16)),
    );
  });

  it.each(sm2.sm3)('SM3 of $message (node:crypto)', (v) => {
    expect(createHash('sm3').update(hex(v.message)).digest('hex')).toBe(v.digest);
  });

  it('Z of the issuer key, with the default user ID', () => {
    expect(sm2.z.userId).toBe('1234567812345678');
    expect(sm2Z(hex(sm2.keys[sm2.z.key].publicKey)).toString('hex')).toBe(sm2.z.z);
    expect(createHash('sm3').update(hex(sm2.z.input)).digest('hex')).toBe(sm2.z.z);
  });

  it.each(Object.entries(sm2.keys))('key %s: private key from its seed, public point and kid', (_name, k) => {
    expect(be32((BigInt(`0x${k.seed}`) % (SM2_CURVE.n - 1n)) + 1n).toString('hex')).toBe(k.privateKey);
    expect(Buffer.from(sm2PublicKeyOf(hex(k.privateKey))).toString('hex')).toBe(k.publicKey);
    expect(kidOf(hex(k.publicKey)).toString('hex')).toBe(k.kid);
  });

  it.each(sm2Stages().map((s) => [s.where, s] as const))('%s: Z, e and the signature', (_where, { stage, valid }) => {
    const key = keyOf(stage.signer as Sm2KeyName);
    expect(key.z.toString('hex')).toBe(stage.z);
    expect(createHash('sm3').update(key.z).update(hex(stage.sigStructure)).digest('hex')).toBe(stage.e);
    for (const engine of ['openssl', 'noble'] as const) {
      expect(key.verify(hex(stage.sigStructure), hex(stage.signature), engine)).toBe(valid);
      const other = hex(stage.sigStructure);
      other[other.length - 1]! ^= 1;
      expect(key.verify(other, hex(stage.signature), engine)).toBe(false);
    }
  });
});

describe('SM2 keys and signatures that cannot serve', () => {
  const issuer = hex(sm2.keys.issuer.publicKey);

  it('a point off the curve, a compressed point, the identity, a coordinate outside the field: no key', () => {
    const offCurve = Buffer.from(issuer);
    offCurve[64]! ^= 1;
    const xTooBig = Buffer.concat([Buffer.from([4]), be32(SM2_CURVE.p), issuer.subarray(33)]);
    for (const bad of [
      offCurve,
      issuer.subarray(0, 33),
      Buffer.concat([Buffer.from([4]), Buffer.alloc(64)]),
      Buffer.alloc(65),
      xTooBig,
      issuer.subarray(1),
      Buffer.concat([issuer, Buffer.alloc(1)]),
    ]) {
      expect(Sm2PublicKey.fromBytes(bad, { keep: true })).toBeNull();
    }
    expect(Sm2PublicKey.fromBytes(issuer, { keep: true })).not.toBeNull();
  });

  it('r or s outside [1, n-1], r + s = n, or not 64 bytes: refused before any curve arithmetic', () => {
    const key = keyOf('issuer');
    const stage = sm2.vectors[0]!.stages.credential;
    const m = hex(stage.sigStructure);
    const sig = hex(stage.signature);
    const n = be32(SM2_CURVE.n);
    const before = curveWork();
    for (const bad of [
      Buffer.concat([Buffer.alloc(32), sig.subarray(32)]),
      Buffer.concat([sig.subarray(0, 32), Buffer.alloc(32)]),
      Buffer.concat([n, sig.subarray(32)]),
      Buffer.concat([sig.subarray(0, 32), n]),
      Buffer.alloc(64, 0xff),
      Buffer.concat([be32(1n), be32(SM2_CURVE.n - 1n)]), // t = r + s mod n = 0
      sig.subarray(0, 63),
      Buffer.concat([sig, Buffer.alloc(1)]),
    ]) {
      expect(key.verify(m, bad)).toBe(false);
    }
    expect(curveWork()).toBe(before);
    expect(key.verify(m, sig)).toBe(true);
    expect(curveWork()).toBe(before + 1);
  });

  it.each(['openssl', 'noble'] as const)('a trust-list key verifies the same before and after what it keeps (%s engine)', (engine) => {
    const key = Sm2PublicKey.fromBytes(issuer, { keep: true })!;
    const stage = sm2.vectors[0]!.stages.credential;
    const bad = hex(stage.signature);
    bad[5]! ^= 4;
    // noble: the key's window is built at its second verification, G's at the process's third.
    for (let i = 0; i < 4; i++) {
      expect(key.verify(hex(stage.sigStructure), hex(stage.signature), engine)).toBe(true);
      expect(key.verify(hex(stage.sigStructure), bad, engine)).toBe(false);
    }
  });

  it('sm2Sign: a fresh signature each time, each verifying under the key, none under another', () => {
    const d = hex(sm2.keys.holder.privateKey);
    const m = Buffer.from('roadscan device key');
    const a = sm2Sign(d, m);
    const b = sm2Sign(d, m);
    expect(Buffer.from(a).equals(Buffer.from(b))).toBe(false);
    expect(keyOf('holder').verify(m, a)).toBe(true);
    expect(keyOf('holder').verify(m, b)).toBe(true);
    expect(keyOf('issuer').verify(m, a)).toBe(false);
    expect(() => sm2Sign(Buffer.alloc(32), m)).toThrow(RangeError);
  });
});
