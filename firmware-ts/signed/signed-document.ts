/**
 * The signed document of docs/STATUS-LIST.md ("Signed documents"): a COSE_Sign (RFC 9052
 * section 4.1, tag 98) whose payload is JSON and whose signatures are Ed25519 or SM2 by root keys.
 *
 * Decoding is the hostile-input half: the bytes are bounded before anything is parsed, the
 * CBOR goes through the project's strict shape walk (no floats, no foreign tags, bounded depth),
 * every header has the one shape the spec gives it, and the number of signatures is bounded, so
 * the work a forged file can cause is bounded before a single signature is checked. Whether the
 * signatures authorise anything is `authorise.ts`'s question, not this file's.
 * @module
 */
import { decodeCbor, isBytes, isMap } from '../codec/cbor.js';
import { isKnownCoseAlg } from '../crypto/public-key.js';
import { DecodeError } from '../codec/decode-error.js';

export const COSE_SIGN_TAG = 98;
/** A signed document larger than this is refused unread (a trust list of 10,000 issuers fits). */
export const MAX_SIGNED_DOCUMENT_BYTES = 4 << 20;
/** More signatures than this is not a root's document but an attempt to make the scanner work. */
export const MAX_SIGNATURES = 32;
export const CONTENT_TYPE_JSON = 'application/json';

const HDR_ALG = 1;
const HDR_CRIT = 2;
const HDR_CONTENT_TYPE = 3;
const HDR_KID = 4;
/** Tag 98 written as the spec's issuers write it: one head byte 0xd8 and the tag number. */
const TAG_98_HEAD = [0xd8, COSE_SIGN_TAG] as const;

export class SignedDocumentError extends Error {
  override name = 'SignedDocumentError';
}

export interface DocumentSignature {
  /** The signature's protected header exactly as received: the signature covers these bytes. */
  protectedBytes: Uint8Array;
  /** 8 bytes, from the protected header (the only place a signed document may carry it). */
  kid: Uint8Array;
  kidHex: string;
  /** The protected header's `alg`: -8 or -65601. */
  alg: number;
  signature: Uint8Array;
}

export interface SignedDocument {
  /** The body's protected header exactly as received. */
  bodyProtected: Uint8Array;
  /** The payload bytes (UTF-8 JSON) exactly as received. */
  payload: Uint8Array;
  /** The payload parsed: always a JSON object. */
  json: Record<string, unknown>;
  signatures: readonly DocumentSignature[];
}

function bad(what: string): never {
  throw new SignedDocumentError(`signed document: ${what}`);
}

function cbor(bytes: Uint8Array, what: string): unknown {
  try {
    return decodeCbor(bytes);
  } catch (err) {
    if (err instanceof DecodeError) bad(`${what}: ${err.message}`);
    throw err;
  }
}

function checkBodyProtected(bytes: Uint8Array): void {
  const h = cbor(bytes, 'protected header');
  if (!isMap(h)) bad('protected header is not a map');
  if (h.get(HDR_CONTENT_TYPE) !== CONTENT_TYPE_JSON) bad(`content type (3) is not "${CONTENT_TYPE_JSON}"`);
  if (h.has(HDR_CRIT)) bad('critical header parameters (2) are not understood');
}

function signatureOf(item: unknown, i: number): DocumentSignature {
  const where = `signatures[${i}]`;
  if (!Array.isArray(item) || item.length !== 3) bad(`${where} is not a 3-element array`);
  const [protectedBytes, unprotected, signature] = item as unknown[];
  if (!isBytes(protectedBytes)) bad(`${where}: protected header is not a bstr`);
  if (!isMap(unprotected)) bad(`${where}: unprotected header is not a map`);
  if (!isBytes(signature) || signature.length !== 64) bad(`${where}: signature is not a 64-byte bstr`);
  const h = cbor(protectedBytes, `${where}: protected header`);
  if (!isMap(h)) bad(`${where}: protected header is not a map`);
  const alg = h.get(HDR_ALG);
  if (!isKnownCoseAlg(alg)) bad(`${where}: alg is not EdDSA (-8) or SM2 (-65601)`);
  if (h.has(HDR_CRIT)) bad(`${where}: critical header parameters (2) are not understood`);
  if (unprotected.has(HDR_ALG)) bad(`${where}: alg in the unprotected header`);
  const kid = h.get(HDR_KID);
  if (!isBytes(kid) || kid.length !== 8) bad(`${where}: kid is not an 8-byte bstr in the protected header`);
  return { protectedBytes, kid, kidHex: Buffer.from(kid).toString('hex'), alg, signature };
}

function jsonOf(payload: Uint8Array): Record<string, unknown> {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(payload);
  } catch {
    bad('payload is not UTF-8');
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    bad('payload is not JSON');
  }
  if (json === null || typeof json !== 'object' || Array.isArray(json)) bad('payload is not a JSON object');
  return json as Record<string, unknown>;
}

/** Decodes a signed document; throws SignedDocumentError naming what is wrong. */
export function decodeSignedDocument(bytes: Uint8Array): SignedDocument {
  if (bytes.length > MAX_SIGNED_DOCUMENT_BYTES) bad(`larger than ${MAX_SIGNED_DOCUMENT_BYTES} bytes`);
  // The strict CBOR walk admits tag 18 only (credentials); tag 98 is checked here, on the bytes,
  // and the array under it goes through the same walk.
  if (bytes.length < 2 || bytes[0] !== TAG_98_HEAD[0] || bytes[1] !== TAG_98_HEAD[1]) bad('not a COSE_Sign (tag 98)');
  const item = cbor(bytes.subarray(2), 'COSE_Sign');
  if (!Array.isArray(item) || item.length !== 4) bad('COSE_Sign is not a 4-element array');
  const [bodyProtected, unprotected, payload, signatures] = item as unknown[];
  if (!isBytes(bodyProtected)) bad('protected header is not a bstr');
  if (!isMap(unprotected)) bad('unprotected header is not a map');
  if (!isBytes(payload)) bad('payload is not a bstr');
  if (!Array.isArray(signatures)) bad('signatures is not an array');
  if (signatures.length === 0) bad('no signatures');
  if (signatures.length > MAX_SIGNATURES) bad(`more than ${MAX_SIGNATURES} signatures`);
  checkBodyProtected(bodyProtected);
  return {
    bodyProtected,
    payload,
    json: jsonOf(payload),
    signatures: signatures.map(signatureOf),
  };
}

function bstrHead(len: number): number[] {
  if (len < 24) return [0x40 | len];
  if (len < 0x100) return [0x58, len];
  if (len < 0x10000) return [0x59, len >> 8, len & 0xff];
  return [0x5a, len >>> 24, (len >>> 16) & 0xff, (len >>> 8) & 0xff, len & 0xff];
}

const SIGNATURE_CONTEXT = [0x85, 0x69, ...new TextEncoder().encode('Signature')];

/**
 * `["Signature", body_protected, sign_protected, h'', payload]` in CBOR (RFC 9052 section 4.4),
 * the bytes each signature of a COSE_Sign covers. Five fixed items, assembled directly.
 */
export function documentSigStructure(bodyProtected: Uint8Array, signProtected: Uint8Array, payload: Uint8Array): Uint8Array {
  const parts: (number[] | Uint8Array)[] = [
    SIGNATURE_CONTEXT,
    bstrHead(bodyProtected.length),
    bodyProtected,
    bstrHead(signProtected.length),
    signProtected,
    [0x40],
    bstrHead(payload.length),
    payload,
  ];
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}
