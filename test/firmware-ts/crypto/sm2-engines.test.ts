/**
 * The two SM2 engines of firmware-ts/crypto/sm2.ts give the same answer: OpenSSL's SM2
 * verification (through node:crypto, the one the appliance runs) against the plain
 * @noble/curves arithmetic of the spec's equation, on thousands of random valid signatures and
 * as many corrupted ones (a bit of r, of s or of the message, another key, n - s, r and s
 * swapped, r + 1, random r and s), for keys kept (trust list) and keys made afresh (holder).
 * The DER form OpenSSL reads is held to leading zeros and high bits of r and s.
 */
import { randomBytes, randomInt } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { derSignature } from '../../../firmware-ts/crypto/sm2-openssl.js';
import { SM2_CURVE, Sm2PublicKey, sm2Engine, sm2PublicKeyOf, sm2Sign } from '../../../firmware-ts/crypto/sm2.js';

const N = SM2_CURVE.n;
const be32 = (v: bigint) => Buffer.from(v.toString(16).padStart(64, '0'), 'hex');
const big = (b: Uint8Array) => BigInt(`0x${Buffer.from(b).toString('hex')}`);

function privateKey(): Buffer {
  return be32((big(randomBytes(32)) % (N - 2n)) + 1n);
}

function flipBit(b: Uint8Array, from: number, to: number): Buffer {
  const out = Buffer.from(b);
  const i = randomInt(from, to);
  out[i]! ^= 1 << randomInt(8);
  return out;
}

interface Case {
  what: string;
  key: Uint8Array;
  message: Uint8Array;
  signature: Uint8Array;
}

/** Corrupted forms of a valid signature (each still 64 bytes; some leave [1, n-1], which both engines refuse before the curve). */
function corruptions(c: Case, otherKey: Uint8Array): Case[] {
  const r = big(c.signature.subarray(0, 32));
  const s = big(c.signature.subarray(32));
  const sig = (a: bigint, b: bigint) => Buffer.concat([be32(a), be32(b)]);
  return [
    { ...c, what: 'a bit of r', signature: flipBit(c.signature, 0, 32) },
    { ...c, what: 'a bit of s', signature: flipBit(c.signature, 32, 64) },
    { ...c, what: 'a bit of the message', message: c.message.length ? flipBit(c.message, 0, c.message.length) : Buffer.from([0]) },
    { ...c, what: 'another key', key: otherKey },
    { ...c, what: 'n - s', signature: sig(r, N - s) },
    { ...c, what: 'r and s swapped', signature: sig(s, r) },
    { ...c, what: 'r + 1', signature: sig((r + 1n) % N || 1n, s) },
    { ...c, what: 'random r and s', signature: randomBytes(64) },
  ];
}

function agree(c: Case, keep: boolean): { openssl: boolean; noble: boolean } {
  const key = Sm2PublicKey.fromBytes(c.key, { keep })!;
  const openssl = key.verify(c.message, c.signature, 'openssl');
  // A key made afresh for the other engine: nothing either engine built is shared.
  const noble = Sm2PublicKey.fromBytes(c.key, { keep })!.verify(c.message, c.signature, 'noble');
  return { openssl, noble };
}

describe('SM2: OpenSSL against @noble/curves', () => {
  it('this Node verifies SM2 with OpenSSL (it passed the known answer)', () => {
    expect(sm2Engine()).toBe('openssl');
  });

  it('the same answer on 1,500 valid signatures and 3,000 corrupted ones, with r and s of every leading byte', () => {
    const privateKeys = Array.from({ length: 6 }, privateKey);
    const publicKeys = privateKeys.map((d) => sm2PublicKeyOf(d));
    const valid: Case[] = [];
    let leadingZeroR = 0;
    let leadingZeroS = 0;
    // At least 1,500, and on until r and s have each begun with a zero byte (1 in 256 apiece).
    for (let i = 0; valid.length < 1_500 || leadingZeroR === 0 || leadingZeroS === 0; i++) {
      if (i > 40_000) throw new Error('no signature with a leading zero byte in 40,000');
      const k = i % privateKeys.length;
      const message = randomBytes(randomInt(0, 400));
      const signature = sm2Sign(privateKeys[k]!, message);
      const zeroR = signature[0] === 0;
      const zeroS = signature[32] === 0;
      if (valid.length >= 1_500 && !zeroR && !zeroS) continue;
      leadingZeroR += zeroR ? 1 : 0;
      leadingZeroS += zeroS ? 1 : 0;
      valid.push({ what: 'valid', key: publicKeys[k]!, message, signature });
    }
    expect(valid.some((c) => c.signature[0]! & 0x80)).toBe(true);
    expect(valid.some((c) => c.signature[32]! & 0x80)).toBe(true);
    const disagreements: string[] = [];
    let corrupted = 0;
    valid.forEach((c, i) => {
      const keep = i % 2 === 0;
      const v = agree(c, keep);
      if (!v.openssl || !v.noble) disagreements.push(`valid ${Buffer.from(c.signature).toString('hex')}: openssl ${v.openssl}, noble ${v.noble}`);
      const all = corruptions(c, publicKeys[(i + 1) % publicKeys.length]!);
      // Two corruptions of each (all eight kinds come round), so 3,000 or more in all.
      for (const bad of [all[i % all.length]!, all[(i + 3) % all.length]!]) {
        corrupted++;
        const b = agree(bad, keep);
        if (b.openssl !== b.noble || b.openssl) disagreements.push(`${bad.what} ${Buffer.from(bad.signature).toString('hex')}: openssl ${b.openssl}, noble ${b.noble}`);
      }
    });
    expect(corrupted).toBeGreaterThanOrEqual(3_000);
    expect(disagreements).toEqual([]);
  }, 300_000);

  it('the DER form: leading zeros dropped, a zero byte before a high bit, canonical lengths', () => {
    const sig = (r: bigint, s: bigint) => Buffer.concat([be32(r), be32(s)]);
    expect(derSignature(sig(1n, 0x7fn)).toString('hex')).toBe('300602010102017f');
    expect(derSignature(sig(0x80n, 0xffn)).toString('hex')).toBe('300802020080020200ff');
    const high = N - 1n;
    expect(derSignature(sig(high, 0x0100n)).toString('hex')).toBe(`3027022100${be32(high).toString('hex')}02020100`);
  });
});
