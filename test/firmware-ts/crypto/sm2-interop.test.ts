/**
 * SM2 interoperation, both ways, with sm-crypto 0.5.8: the most used JavaScript SM2 library, its
 * own big-number arithmetic (jsbn) and its own SM3, used by neither the product's verifier
 * (@noble/curves with node:crypto's SM3) nor the simulator's signer (sm-crypto-v2). Its
 * signatures, in a whole live code, verify in roadscan; the simulator's signatures and the
 * product's own `sm2Sign` verify in it.
 */
import { describe, expect, it } from 'vitest';
import smCrypto from 'sm-crypto';
import { shippedChecker } from '../../../firmware-ts/app/shipped-checker.js';
import { sigStructure } from '../../../firmware-ts/codec/cose.js';
import { decodeCode } from '../../../firmware-ts/codec/decode-presentation.js';
import { Sm2PublicKey, sm2Sign } from '../../../firmware-ts/crypto/sm2.js';
import { signWith, sm2PrivateKeyHex } from '../../../sim/authority/keys.js';
import { TestAuthority } from '../../../sim/authority/test-authority.js';
import { qrText } from '../../../sim/authority/credentials.js';
import { decodeCbor, encodeCbor } from '../../../firmware-ts/codec/cbor.js';
import { decodeQrText } from '../../../firmware-ts/codec/qr-text.js';
import { Tag } from 'cbor-x';

const { sm2 } = smCrypto;
const NOW = Math.floor(Date.parse('2026-11-20T10:00:00+08:00') / 1000);
const hexOf = (b: Uint8Array) => Buffer.from(b).toString('hex');

/** The COSE_Sign1 of `cose` with its signature replaced by `sign(Sig_structure)`. */
function resign(cose: Uint8Array, sign: (m: Uint8Array) => Uint8Array): Uint8Array {
  const item = decodeCbor(cose) as Tag | unknown[];
  const arr = (item instanceof Tag ? item.value : item) as [Uint8Array, Map<unknown, unknown>, Uint8Array, Uint8Array];
  arr[3] = sign(sigStructure(arr[0], arr[2]));
  return encodeCbor(item instanceof Tag ? new Tag(arr, 18) : arr);
}

describe('SM2 interoperation with sm-crypto (independent of the product)', () => {
  const authority = TestAuthority.create('SM2');
  const smSign = (seed: Uint8Array, pub: Uint8Array) => (m: Uint8Array) =>
    Buffer.from(sm2.doSignature(Array.from(m), sm2PrivateKeyHex(seed), { hash: true, der: false, publicKey: hexOf(pub) }), 'hex');

  it('the same public point from the same private key', () => {
    for (const k of [authority.keys.mps, authority.keys.holder]) expect(sm2.getPublicKeyFromPrivateKey(sm2PrivateKeyHex(k.seed))).toBe(hexOf(k.publicKey));
  });

  it('a live code whose issuer and holder signatures sm-crypto made verifies in roadscan (accept)', () => {
    const code = authority.code({ type: 'DL', now: NOW });
    const decoded = decodeCode(code.text);
    // Re-sign the inner credential with sm-crypto, then the live wrapper around it.
    const outerItem = decodeCbor(decodeQrText(code.text)) as Tag;
    const outer = outerItem.value as [Uint8Array, Map<unknown, unknown>, Uint8Array, Uint8Array];
    const payload = decodeCbor(outer[2]) as Map<unknown, unknown>;
    const inner = resign(
      encodeCbor(new Tag([decoded.credentialCose.protectedBytes, decoded.credentialCose.unprotected, decoded.credentialCose.payload, new Uint8Array(64)], 18)),
      smSign(authority.keys.mps.seed, authority.keys.mps.publicKey),
    );
    payload.set('vp', inner);
    const wrapper = resign(
      encodeCbor(new Tag([outer[0], outer[1], encodeCbor(payload), outer[3]], 18)),
      smSign(authority.keys.holder.seed, authority.keys.holder.publicKey),
    );
    const checker = shippedChecker({ trust: authority.trustList(), profile: 'roadside', region: '110105' });
    const r = checker.check(qrText(wrapper), { nowSec: NOW, reliable: true });
    expect(r.reasons.filter((x) => x !== 'STATUS_LIST_STALE')).toEqual([]);
    // And the signatures are sm-crypto's own, not those the simulator made.
    expect(hexOf(decodeCode(qrText(wrapper)).credentialCose.signature)).not.toBe(hexOf(decoded.credentialCose.signature));
  });

  it('sm-crypto signatures over random messages verify with the product verifier; altered ones do not', () => {
    const key = Sm2PublicKey.fromBytes(authority.keys.mot.publicKey, { keep: false })!;
    for (let i = 0; i < 8; i++) {
      const m = Buffer.from(`roadscan interop ${i} `.repeat(i + 1));
      const sig = smSign(authority.keys.mot.seed, authority.keys.mot.publicKey)(m);
      expect(key.verify(m, sig)).toBe(true);
      sig[i]! ^= 0x10;
      expect(key.verify(m, sig)).toBe(false);
    }
  });

  it("the simulator's (sm-crypto-v2) and the product's own sm2Sign signatures verify in sm-crypto", () => {
    const k = authority.keys.sl;
    for (let i = 0; i < 4; i++) {
      const m = Buffer.from(`status list manifest ${i}`);
      expect(sm2.doVerifySignature(Array.from(m), hexOf(signWith(k, m)), hexOf(k.publicKey), { hash: true })).toBe(true);
      const own = sm2Sign(Buffer.from(sm2PrivateKeyHex(k.seed), 'hex'), m);
      expect(sm2.doVerifySignature(Array.from(m), hexOf(own), hexOf(k.publicKey), { hash: true })).toBe(true);
      expect(sm2.doVerifySignature(Array.from(Buffer.from('other')), hexOf(own), hexOf(k.publicKey), { hash: true })).toBe(false);
    }
  });
});
