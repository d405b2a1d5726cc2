/**
 * A public key with its algorithm (docs/CREDENTIALS.md sections 2, 3 and 5): Ed25519 (COSE alg
 * -8, the raw 32 bytes) or SM2 with SM3 (COSE alg -65601, the 65-byte uncompressed point). The
 * trust list, the root, the holder's `cnf` and every signature check share this one shape, so
 * "a key and a header that disagree on the algorithm" has one answer everywhere.
 * @module
 */
import { Sm2PublicKey } from './sm2.js';

export const ALG_EDDSA = -8;
/** A private-use COSE value for SM2 with SM3 (docs/CREDENTIALS.md section 2). */
export const ALG_SM2 = -65601;

/** The algorithm names of the trust list's `alg`. */
export const SIGNATURE_ALGS = ['EdDSA', 'SM2'] as const;
export type SignatureAlg = (typeof SIGNATURE_ALGS)[number];

export const KEY_BYTES: Readonly<Record<SignatureAlg, number>> = { EdDSA: 32, SM2: 65 };
export const COSE_ALG: Readonly<Record<SignatureAlg, number>> = { EdDSA: ALG_EDDSA, SM2: ALG_SM2 };

export type PublicKey = { alg: 'EdDSA'; raw: Uint8Array } | { alg: 'SM2'; raw: Uint8Array; sm2: Sm2PublicKey };

/** True for a COSE alg the spec knows (-8 or -65601). */
export function isKnownCoseAlg(v: unknown): v is number {
  return v === ALG_EDDSA || v === ALG_SM2;
}

/**
 * The key of `raw` under `alg`, or null when it is not a valid key of that algorithm. `keep`
 * marks a key that signs many codes (trust list, root): SM2 gives it a precomputed window.
 * An Ed25519 key's bytes are checked when first verified (node:crypto), as before.
 */
export function publicKeyOf(alg: SignatureAlg, raw: Uint8Array, opts: { keep: boolean }): PublicKey | null {
  if (raw.length !== KEY_BYTES[alg]) return null;
  if (alg === 'EdDSA') return { alg, raw };
  const sm2 = Sm2PublicKey.fromBytes(raw, opts);
  return sm2 ? { alg, raw: sm2.bytes, sm2 } : null;
}
