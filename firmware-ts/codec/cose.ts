/**
 * COSE_Sign1 (RFC 9052) as docs/CREDENTIALS.md section 2 restricts it: EdDSA (-8) or SM2 with
 * SM3 (-65601), a 64-byte signature either way, tag 18 or untagged, `kid` in the protected map or
 * else the unprotected one.
 * @module
 */
import { Tag } from 'cbor-x/decode';
import { decodeCbor, isBytes, isMap } from './cbor.js';
import { fail } from './decode-error.js';
import { ALG_EDDSA, ALG_SM2, isKnownCoseAlg } from '../crypto/public-key.js';

export { ALG_EDDSA, ALG_SM2 };
export const COSE_SIGN1_TAG = 18;
const HDR_ALG = 1;
const HDR_KID = 4;

export interface CoseSign1 {
  /** The protected header exactly as received: the signature covers these bytes. */
  protectedBytes: Uint8Array;
  protectedHeader: Map<unknown, unknown>;
  unprotected: Map<unknown, unknown>;
  /** The protected header's `alg`: -8 or -65601. */
  alg: number;
  payload: Uint8Array;
  signature: Uint8Array;
  /** From the protected header, else the unprotected one; null when absent. */
  kid: Uint8Array | null;
}

/** Parses a COSE_Sign1 from its CBOR bytes; throws DecodeError. */
export function decodeCoseSign1(bytes: Uint8Array): CoseSign1 {
  return coseFromItem(decodeCbor(bytes));
}

/** Parses an already decoded CBOR item (a presentation carries the credential as a bstr). */
export function coseFromItem(item: unknown): CoseSign1 {
  if (item instanceof Tag) {
    if (item.tag !== COSE_SIGN1_TAG) fail(`unexpected CBOR tag ${item.tag}`);
    item = item.value;
  }
  if (!Array.isArray(item) || item.length !== 4) fail('COSE_Sign1 is not a 4-element array');
  const [protectedBytes, unprotected, payload, signature] = item as unknown[];
  if (!isBytes(protectedBytes)) fail('protected header is not a bstr');
  if (!isMap(unprotected)) fail('unprotected header is not a map');
  if (!isBytes(payload)) fail('payload is not a bstr');
  if (!isBytes(signature) || signature.length !== 64) fail('signature is not a 64-byte bstr');
  const protectedHeader = protectedBytes.length === 0 ? new Map() : decodeCbor(protectedBytes);
  if (!isMap(protectedHeader)) fail('protected header is not a map');
  const alg = protectedHeader.get(HDR_ALG);
  if (!isKnownCoseAlg(alg)) fail('alg is not EdDSA (-8) or SM2 (-65601)');
  if (unprotected.has(HDR_ALG)) fail('alg in the unprotected header');
  const kid = protectedHeader.has(HDR_KID) ? protectedHeader.get(HDR_KID) : (unprotected.get(HDR_KID) ?? null);
  if (kid !== null && (!isBytes(kid) || kid.length !== 8)) fail('kid is not an 8-byte bstr');
  return { protectedBytes, protectedHeader, unprotected, alg, payload, signature, kid };
}

const SIG1_PREFIX = Uint8Array.from([0x84, 0x6a, ...new TextEncoder().encode('Signature1')]);

function bstrHeader(len: number): Uint8Array {
  if (len < 24) return Uint8Array.of(0x40 | len);
  if (len < 0x100) return Uint8Array.of(0x58, len);
  if (len < 0x10000) return Uint8Array.of(0x59, len >> 8, len & 0xff);
  return Uint8Array.of(0x5a, len >>> 24, (len >>> 16) & 0xff, (len >>> 8) & 0xff, len & 0xff);
}

/**
 * `["Signature1", protected, h'', payload]` in CBOR (RFC 9052 section 4.4). Assembled directly:
 * it is four fixed items, and the hot path should not round-trip through an encoder.
 */
export function sigStructure(protectedBytes: Uint8Array, payload: Uint8Array): Uint8Array {
  const ph = bstrHeader(protectedBytes.length);
  const pl = bstrHeader(payload.length);
  const out = new Uint8Array(SIG1_PREFIX.length + ph.length + protectedBytes.length + 1 + pl.length + payload.length);
  let o = 0;
  out.set(SIG1_PREFIX, o);
  o += SIG1_PREFIX.length;
  out.set(ph, o);
  o += ph.length;
  out.set(protectedBytes, o);
  o += protectedBytes.length;
  out[o++] = 0x40;
  out.set(pl, o);
  o += pl.length;
  out.set(payload, o);
  return out;
}
