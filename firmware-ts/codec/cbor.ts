/**
 * The CBOR decoder the appliance uses (cbor-x), configured for hostile input: maps stay `Map`
 * (integer keys keep their type), no record extensions, and trailing bytes are an error.
 * @module
 */
import { Decoder } from 'cbor-x/decode';
import { Encoder } from 'cbor-x/encode';
import { checkCborShape } from './cbor-shape.js';
import { fail } from './decode-error.js';

const decoder = new Decoder({ mapsAsObjects: false, useRecords: false, bundleStrings: false } as never);
const encoder = new Encoder({ mapsAsObjects: false, useRecords: false, tagUint8Array: false, variableMapSize: true } as never);

/** Decodes exactly one CBOR item filling the whole input; throws DecodeError otherwise. */
export function decodeCbor(bytes: Uint8Array): unknown {
  checkCborShape(bytes);
  try {
    return decoder.decode(bytes);
  } catch {
    fail('bad CBOR');
  }
}

export function encodeCbor(value: unknown): Uint8Array {
  return encoder.encode(value);
}

export function isBytes(v: unknown): v is Uint8Array {
  return v instanceof Uint8Array && v.constructor !== Float32Array;
}

export function isMap(v: unknown): v is Map<unknown, unknown> {
  return v instanceof Map;
}

/**
 * A CBOR uint as a JS number, or null. cbor-x returns a bigint for any uint written in 8 bytes;
 * those are valid too (an instant after 2106, or a small value written long). Above 2^53 the
 * number is rounded, which keeps every comparison with a present-day instant right.
 */
export function toUint(v: unknown): number | null {
  if (typeof v === 'number') return Number.isSafeInteger(v) && v >= 0 ? v : null;
  if (typeof v === 'bigint') return v >= 0n ? Number(v) : null;
  return null;
}

/** A uint that decoded to a plain number (values written in 8 bytes come as bigint: see toUint). */
export function isUint(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
}
