import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { base45Decode, base45Encode, Base45Error } from '../../../firmware-ts/codec/base45.js';

// RFC 9285 section 4 examples.
const RFC = [
  ['AB', 'BB8'],
  ['Hello!!', '%69 VD92EX0'],
  ['base-45', 'UJCLQE7W581'],
  ['ietf!', 'QED8WEX0'],
] as const;

describe('base45 (RFC 9285)', () => {
  it.each(RFC)('encodes %s as %s', (plain, encoded) => {
    expect(base45Encode(Buffer.from(plain))).toBe(encoded);
    expect(Buffer.from(base45Decode(encoded)).toString()).toBe(plain);
  });

  it('decodes the empty string to no bytes', () => {
    expect(base45Decode('')).toHaveLength(0);
  });

  it.each([
    ['GGW', 'triple above 65535 (RFC 9285 section 4.2)'],
    [':::', 'triple far above 65535'],
    ['A', 'dangling single character'],
    ['BB8A', 'length 1 mod 3'],
    ['bb8', 'lower case is not in the alphabet'],
    ['BB\u00e9', 'non-ASCII character'],
    ['B\u0000', 'control character'],
    ['::', 'pair above 255'],
  ])('refuses %j (%s)', (text) => {
    expect(() => base45Decode(text)).toThrow(Base45Error);
  });

  it('round-trips any bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        expect(Buffer.from(base45Decode(base45Encode(bytes)))).toEqual(Buffer.from(bytes));
      }),
    );
  });

  it('either refuses or decodes to bytes that re-encode to the same text', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom(...'0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:a'), maxLength: 60 }), (text) => {
        let bytes: Uint8Array;
        try {
          bytes = base45Decode(text);
        } catch (err) {
          expect(err).toBeInstanceOf(Base45Error);
          return;
        }
        expect(base45Encode(bytes)).toBe(text);
      }),
    );
  });
});
