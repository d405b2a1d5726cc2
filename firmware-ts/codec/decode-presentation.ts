/**
 * From QR text to a parsed credential, bare or inside a live presentation (sections 1 to 4).
 * Pure decoding: no keys, no time. Every failure is a DecodeError (MALFORMED).
 * @module
 */
import { decodeCbor, isMap } from './cbor.js';
import { parseCredential, presentationFromItem, type Credential } from './claims.js';
import { decodeCoseSign1, type CoseSign1 } from './cose.js';
import { fail } from './decode-error.js';
import { decodeQrText } from './qr-text.js';

export interface DecodedCode {
  /** The issuer's COSE_Sign1. */
  credentialCose: CoseSign1;
  credential: Credential;
  /** The holder's live wrapper, when the code is a presentation. */
  presentation: { cose: CoseSign1; gen: number } | null;
}

export function decodeCode(text: string): DecodedCode {
  const outer = decodeCoseSign1(decodeQrText(text));
  const payload = decodeCbor(outer.payload);
  if (isMap(payload) && payload.has('vp')) {
    const { vp, gen } = presentationFromItem(payload);
    const inner = decodeCoseSign1(vp);
    if (inner.kid === null) fail('credential has no kid');
    return { credentialCose: inner, credential: parseCredential(inner.payload), presentation: { cose: outer, gen } };
  }
  if (outer.kid === null) fail('credential has no kid');
  return { credentialCose: outer, credential: parseCredential(outer.payload), presentation: null };
}
