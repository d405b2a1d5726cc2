/**
 * Ways to spoil a COSE_Sign1 after it was signed, each touching exactly one part.
 * @module
 */
import type { Sign1Parts } from './cose-writer.js';
import { cbor, flipBit } from './cose-writer.js';

/** One bit of the signature flipped. */
export const flipSignature = (parts: Sign1Parts): Sign1Parts => ({ ...parts, signature: flipBit(parts.signature, 17, 3) });

/** A signature of 64 zero bytes. */
export const zeroSignature = (parts: Sign1Parts): Sign1Parts => ({ ...parts, signature: new Uint8Array(64) });

/** The signed payload swapped for other claims (the signature no longer covers them). */
export const swapPayload =
  (claims: unknown) =>
  (parts: Sign1Parts): Sign1Parts => ({ ...parts, payload: cbor(claims) });

/** The protected header bytes swapped for an equivalent but differently encoded map. */
export const swapProtected =
  (bytes: Uint8Array) =>
  (parts: Sign1Parts): Sign1Parts => ({ ...parts, protectedBytes: bytes });

/** The signature cut or extended to `length` bytes. */
export const resizeSignature =
  (length: number) =>
  (parts: Sign1Parts): Sign1Parts => {
    const sig = new Uint8Array(length);
    sig.set(parts.signature.subarray(0, Math.min(length, 64)));
    return { ...parts, signature: sig };
  };
