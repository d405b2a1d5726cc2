/**
 * The corpus's own strict reader of a QR text (prefix, Base45, zlib with the 4096-byte cap and no
 * trailing bytes, CBOR via cborg). The flood uses it to tell a real mutation (the signed bytes
 * changed) from one that only re-spells the same credential, which is not a mutation at all.
 * @module
 */
import { decode } from 'cborg';
import { inflateSync } from 'node:zlib';
import { base45Decode } from './base45.js';

export const INFLATE_CAP = 4096;

/** What a QR text decodes to; `signed` is null when the bytes are not a four-member COSE_Sign1 array. */
export interface ReadResult {
  body: Uint8Array;
  cose: Uint8Array;
  /** protected, payload and signature bytes in hex, joined: equal strings mean the same signed content. */
  signed: string | null;
}

/** Reads a QR text; throws for anything sections 1 and 2 refuse before CBOR. */
export function readQr(text: string): ReadResult {
  if (!text.startsWith('RS1:')) throw new Error('prefix');
  const body = base45Decode(text.slice(4));
  const cose = body[0] === 0x78 ? inflateStrict(body) : body;
  return { body, cose, signed: signedContent(cose) };
}

function inflateStrict(body: Uint8Array): Uint8Array {
  const result = inflateSync(body, { info: true, maxOutputLength: INFLATE_CAP }) as unknown as {
    buffer: Buffer;
    engine: { bytesWritten: number };
  };
  if (result.engine.bytesWritten !== body.length) throw new Error('bytes after the zlib stream');
  return new Uint8Array(result.buffer);
}

const TAGS: ((inner: unknown) => unknown)[] = [];
TAGS[18] = (inner) => inner;

function signedContent(cose: Uint8Array): string | null {
  let value: unknown;
  try {
    value = decode(cose, { useMaps: true, tags: TAGS });
  } catch {
    return null;
  }
  if (!Array.isArray(value) || value.length !== 4) return null;
  const [prot, , payload, signature] = value as unknown[];
  if (!(prot instanceof Uint8Array && payload instanceof Uint8Array && signature instanceof Uint8Array)) return null;
  const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
  return `${hex(prot)}|${hex(payload)}|${hex(signature)}`;
}
