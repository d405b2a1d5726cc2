/**
 * Base45 (RFC 9285), strict.
 *
 * Written here rather than taken from npm: the two published packages (base45 3.0.0,
 * base45-js 1.0.2) accept characters outside the alphabet, triples above 65535 and dangling
 * single characters, silently producing wrong bytes. A scanner must refuse those.
 * @module
 */

const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:';
const VALUE = new Int8Array(128).fill(-1);
for (let i = 0; i < ALPHABET.length; i++) VALUE[ALPHABET.charCodeAt(i)] = i;

export class Base45Error extends Error {
  override name = 'Base45Error';
}

export function base45Encode(bytes: Uint8Array): string {
  let out = '';
  let i = 0;
  for (; i + 1 < bytes.length; i += 2) {
    let x = (bytes[i]! << 8) | bytes[i + 1]!;
    const c = x % 45;
    x = (x - c) / 45;
    const d = x % 45;
    const e = (x - d) / 45;
    out += ALPHABET[c]! + ALPHABET[d]! + ALPHABET[e]!;
  }
  if (i < bytes.length) {
    const x = bytes[i]!;
    out += ALPHABET[x % 45]! + ALPHABET[Math.floor(x / 45)]!;
  }
  return out;
}

function digit(text: string, i: number): number {
  const code = text.charCodeAt(i);
  const v = code < 128 ? VALUE[code]! : -1;
  if (v < 0) throw new Base45Error(`invalid Base45 character at ${i}`);
  return v;
}

export function base45Decode(text: string): Uint8Array {
  const rem = text.length % 3;
  if (rem === 1) throw new Base45Error('invalid Base45 length');
  const out = new Uint8Array(((text.length - rem) / 3) * 2 + (rem === 2 ? 1 : 0));
  let o = 0;
  let i = 0;
  for (; i + 2 < text.length; i += 3) {
    const x = digit(text, i) + digit(text, i + 1) * 45 + digit(text, i + 2) * 2025;
    if (x > 0xffff) throw new Base45Error(`Base45 triple out of range at ${i}`);
    out[o++] = x >> 8;
    out[o++] = x & 0xff;
  }
  if (rem === 2) {
    const x = digit(text, i) + digit(text, i + 1) * 45;
    if (x > 0xff) throw new Base45Error(`Base45 pair out of range at ${i}`);
    out[o++] = x;
  }
  return out;
}
