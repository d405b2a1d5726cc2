/**
 * The CBOR decoder the appliance uses (cbor-x), configured for hostile input: maps stay `Map`
 * (integer keys keep their type), no record extensions, and trailing bytes are an error.
 * @module
 */
import { Decoder, Encoder } from 'cbor-x';
import { fail } from './decode-error.js';

const decoder = new Decoder({ mapsAsObjects: false, useRecords: false, bundleStrings: false } as never);
const encoder = new Encoder({ mapsAsObjects: false, useRecords: false, tagUint8Array: false, variableMapSize: true } as never);

/** Decodes exactly one CBOR item filling the whole input; throws DecodeError otherwise. */
export function decodeCbor(bytes: Uint8Array): unknown {
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

export function isUint(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
}
