/**
 * Base45 (RFC 9285), written from the RFC alone so the conformance corpus shares no code with the
 * appliance's codec. The decoder is strict in the same ways the RFC is (alphabet, chunk values,
 * no dangling character); the corpus uses it to tell a real mutation from a no-op one.
 * @module
 */

/** The 45-character alphabet of RFC 9285 section 4, value = index. */
export const BASE45_ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:';

const VALUE_OF: ReadonlyMap<string, number> = new Map([...BASE45_ALPHABET].map((ch, i) => [ch, i] as const));

/** Encodes bytes: each pair n = a*256+b becomes c + 45d + 2025e written c, d, e; a lone last byte gives two characters. */
export function base45Encode(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i + 1 < bytes.length; i += 2) {
    let n = bytes[i]! * 256 + bytes[i + 1]!;
    const c = n % 45;
    n = (n - c) / 45;
    const d = n % 45;
    const e = (n - d) / 45;
    out += BASE45_ALPHABET[c]! + BASE45_ALPHABET[d]! + BASE45_ALPHABET[e]!;
  }
  if (bytes.length % 2 === 1) {
    const n = bytes[bytes.length - 1]!;
    out += BASE45_ALPHABET[n % 45]! + BASE45_ALPHABET[Math.floor(n / 45)]!;
  }
  return out;
}

/** Thrown for text that RFC 9285 says must be refused. */
export class Base45Error extends Error {}

/** Decodes strictly: alphabet only, triples at most 65535, a trailing pair at most 255, no lone character. */
export function base45Decode(text: string): Uint8Array {
  if (text.length % 3 === 1) throw new Base45Error('dangling character');
  const values: number[] = [];
  for (const ch of text) {
    const v = VALUE_OF.get(ch);
    if (v === undefined) throw new Base45Error('character outside the alphabet');
    values.push(v);
  }
  if (values.length !== text.length) throw new Base45Error('character outside the alphabet');
  const out = new Uint8Array(Math.floor(values.length / 3) * 2 + (values.length % 3 === 2 ? 1 : 0));
  let o = 0;
  for (let i = 0; i < values.length; i += 3) {
    if (i + 2 < values.length) {
      const n = values[i]! + values[i + 1]! * 45 + values[i + 2]! * 2025;
      if (n > 0xffff) throw new Base45Error('triple above 65535');
      out[o++] = n >> 8;
      out[o++] = n & 0xff;
    } else {
      const n = values[i]! + values[i + 1]! * 45;
      if (n > 0xff) throw new Base45Error('pair above 255');
      out[o++] = n;
    }
  }
  return out;
}
