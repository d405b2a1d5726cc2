/**
 * Produces COSE_Sign1 structures as issuers and phones do (docs/CREDENTIALS.md section 2).
 * @module
 */
import { Tag } from 'cbor-x';
import { encodeCbor } from '../../firmware-ts/codec/cbor.js';
import { COSE_SIGN1_TAG, sigStructure } from '../../firmware-ts/codec/cose.js';
import { COSE_ALG } from '../../firmware-ts/crypto/public-key.js';
import { signWith, type SimKey } from './keys.js';

export interface SignOptions {
  payload: Uint8Array;
  key: SimKey;
  /** Put the kid in the protected header (issuers) or leave it out (presentations). */
  withKid?: boolean;
  /** Put the kid in the unprotected header instead of the protected one. */
  kidUnprotected?: boolean;
  /** Emit tag 18 (issuers do); false for the untagged array the scanner also accepts. */
  tagged?: boolean;
  /** The header's alg in place of the key's own (an alg/key mismatch, on purpose). */
  alg?: number;
}

export function signCoseSign1(opts: SignOptions): Uint8Array {
  const withKid = opts.withKid ?? true;
  const protectedMap = new Map<number, unknown>([[1, opts.alg ?? COSE_ALG[opts.key.alg]]]);
  const unprotected = new Map<number, unknown>();
  if (withKid && !opts.kidUnprotected) protectedMap.set(4, opts.key.kid);
  if (withKid && opts.kidUnprotected) unprotected.set(4, opts.key.kid);
  const protectedBytes = encodeCbor(protectedMap);
  const signature = signWith(opts.key, sigStructure(protectedBytes, opts.payload));
  const array = [protectedBytes, unprotected, opts.payload, signature];
  return encodeCbor((opts.tagged ?? true) ? new Tag(array, COSE_SIGN1_TAG) : array);
}
