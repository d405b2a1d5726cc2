/**
 * A walk over raw CBOR heads, run before decoding. cbor-x turns a float holding a whole number
 * into a plain JS number and gives meaning to dozens of tags (dates, typed arrays, shared
 * references); the spec has no floats and only tag 18, so both are refused here, on the bytes,
 * where they can still be told apart. The walk also bounds nesting depth.
 * @module
 */
import { fail } from './decode-error.js';

const MAX_DEPTH = 16;
const ALLOWED_TAG = 18;

/** Throws DecodeError unless `bytes` hold exactly one CBOR item without floats or foreign tags. */
export function checkCborShape(bytes: Uint8Array): void {
  const end = item(bytes, 0, 0);
  if (end !== bytes.length) fail('trailing bytes after the CBOR item');
}

function argument(b: Uint8Array, at: number, info: number): [value: number, next: number] {
  if (info < 24) return [info, at];
  const size = info === 24 ? 1 : info === 25 ? 2 : info === 26 ? 4 : info === 27 ? 8 : 0;
  if (size === 0 || at + size > b.length) fail('bad CBOR head');
  let v = 0;
  for (let i = 0; i < size; i++) v = v * 256 + b[at + i]!;
  return [v, at + size];
}

function item(b: Uint8Array, at: number, depth: number): number {
  if (depth > MAX_DEPTH) fail('CBOR nested too deep');
  if (at >= b.length) fail('truncated CBOR');
  const major = b[at]! >> 5;
  const info = b[at]! & 31;
  at++;
  if (info === 31) return indefinite(b, at, major, depth);
  const [n, next] = argument(b, at, info);
  switch (major) {
    case 0:
    case 1:
      return next;
    case 2:
    case 3:
      if (next + n > b.length) fail('truncated CBOR string');
      return next + n;
    case 4:
    case 5: {
      let p = next;
      const items = major === 4 ? n : n * 2;
      if (items > b.length) fail('CBOR length beyond the input');
      for (let i = 0; i < items; i++) p = item(b, p, depth + 1);
      return p;
    }
    case 6:
      if (n !== ALLOWED_TAG) fail(`CBOR tag ${n} is not allowed`);
      return item(b, next, depth + 1);
    default:
      if (info >= 25 && info <= 27) fail('CBOR float where the spec has none');
      return next;
  }
}

function indefinite(b: Uint8Array, at: number, major: number, depth: number): number {
  if (major !== 2 && major !== 3 && major !== 4 && major !== 5) fail('bad indefinite-length CBOR item');
  let p = at;
  let count = 0;
  while (p < b.length && b[p] !== 0xff) {
    if ((major === 2 || major === 3) && b[p]! >> 5 !== major) fail('bad chunk in an indefinite-length string');
    p = item(b, p, depth + 1);
    count++;
  }
  if (p >= b.length) fail('unterminated indefinite-length CBOR item');
  if (major === 5 && count % 2 !== 0) fail('odd indefinite-length CBOR map');
  return p + 1;
}
