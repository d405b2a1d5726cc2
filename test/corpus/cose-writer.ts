/**
 * COSE_Sign1 (RFC 9052) and QR text writer on top of cborg, an encoder independent of the
 * appliance's cbor-x. Parts are kept apart (protected bytes, unprotected map, payload, signature)
 * so a test can tamper with exactly one of them after signing.
 * @module
 */
import { encode } from 'cborg';
import { deflateSync } from 'node:zlib';
import { base45Encode } from './base45.js';
import type { Ed25519Key } from './ed25519-key.js';

/** COSE header labels and values used by docs/CREDENTIALS.md section 2. */
export const ALG = 1;
export const KID = 4;
export const EDDSA = -8;

/** The four members of a COSE_Sign1 array, before encoding. */
export interface Sign1Parts {
  protectedBytes: Uint8Array;
  unprotected: Map<number, unknown>;
  payload: Uint8Array;
  signature: Uint8Array;
}

/** CBOR encoding of any value (maps sorted canonically, length first, as cborg does by default). */
export function cbor(value: unknown): Uint8Array {
  return encode(value);
}

/** `Sig_structure = ["Signature1", protected, h'', payload]` of RFC 9052 section 4.4, encoded. */
export function sigStructure(protectedBytes: Uint8Array, payload: Uint8Array): Uint8Array {
  return cbor(['Signature1', protectedBytes, new Uint8Array(0), payload]);
}

/** Signs `payload` under the given protected header bytes. */
export function signSign1(key: Ed25519Key, protectedBytes: Uint8Array, payload: Uint8Array, unprotected: Map<number, unknown> = new Map()): Sign1Parts {
  const signature = key.sign(sigStructure(protectedBytes, payload));
  return { protectedBytes, unprotected, payload, signature };
}

/** Encodes the COSE_Sign1 array, with tag 18 (0xd2) in front unless `tagged` is false. */
export function encodeSign1(parts: Sign1Parts, tagged = true): Uint8Array {
  const array = cbor([parts.protectedBytes, parts.unprotected, parts.payload, parts.signature]);
  return tagged ? concatBytes(Uint8Array.of(0xd2), array) : array;
}

/** A copy of `bytes` with one bit flipped at `index` (negative counts from the end). */
export function flipBit(bytes: Uint8Array, index: number, bit = 0): Uint8Array {
  const copy = Uint8Array.from(bytes);
  const at = index < 0 ? copy.length + index : index;
  copy[at] = copy[at]! ^ (1 << bit);
  return copy;
}

export function concatBytes(...chunks: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

/** zlib at the best compression level, as issuers do (the first byte is 0x78). */
export function zlib(bytes: Uint8Array): Uint8Array {
  return new Uint8Array(deflateSync(bytes, { level: 9 }));
}

/** `RS1:` + Base45 of the body; `compress` picks zlib(COSE) over the raw COSE bytes. */
export function qrText(cose: Uint8Array, compress = true): string {
  return 'RS1:' + base45Encode(compress ? zlib(cose) : cose);
}

/** `RS1:` + Base45 of a body given as is. */
export function qrOfBody(body: Uint8Array): string {
  return 'RS1:' + base45Encode(body);
}
