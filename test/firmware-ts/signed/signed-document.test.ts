/**
 * Hostile signed documents: every malformed shape is refused with a SignedDocumentError naming
 * it, before any signature is checked; sizes and signature counts are bounded.
 * @module
 */
import { Tag } from 'cbor-x';
import { describe, expect, it } from 'vitest';
import { encodeCbor } from '../../../firmware-ts/codec/cbor.js';
import { decodeSignedDocument, MAX_SIGNATURES, MAX_SIGNED_DOCUMENT_BYTES, SignedDocumentError } from '../../../firmware-ts/signed/signed-document.js';
import { generateKey } from '../../../sim/authority/keys.js';
import { bodyProtectedBytes, signDocument, signProtectedBytes } from '../../../sim/authority/sign-document.js';

const key = generateKey();
const payload = new TextEncoder().encode('{"version":1}');
const goodSig = (): unknown[] => [signProtectedBytes(key), new Map(), new Uint8Array(64)];
const doc = (parts: { body?: unknown; unprotected?: unknown; payload?: unknown; sigs?: unknown }, tag: number | null = 98): Uint8Array => {
  const arr = [parts.body ?? bodyProtectedBytes(), parts.unprotected ?? new Map(), parts.payload ?? payload, parts.sigs ?? [goodSig()]];
  return encodeCbor(tag === null ? arr : new Tag(arr, tag));
};
const refused = (bytes: Uint8Array, why: RegExp) => {
  expect(() => decodeSignedDocument(bytes)).toThrow(SignedDocumentError);
  expect(() => decodeSignedDocument(bytes)).toThrow(why);
};

describe('decodeSignedDocument', () => {
  it('decodes what the authority signs', () => {
    const d = decodeSignedDocument(signDocument('{"version":4,"x":[1]}', [key, key]));
    expect(d.json).toEqual({ version: 4, x: [1] });
    expect(d.signatures).toHaveLength(2);
    expect(d.signatures[0]!.kidHex).toBe(Buffer.from(key.kid).toString('hex'));
  });

  it.each([
    ['untagged', doc({}, null), /tag 98/],
    ['tag 18 (a COSE_Sign1)', doc({}, 18), /tag 98/],
    ['a 3-element array', encodeCbor(new Tag([bodyProtectedBytes(), new Map(), payload], 98)), /4-element/],
    ['trailing bytes', Buffer.concat([doc({}), Buffer.from([0])]), /trailing/],
    ['a float inside', doc({ unprotected: new Map([[9, 1.5]]) }), /float/],
    ['a foreign tag inside', doc({ unprotected: new Map([[9, new Tag(1, 1)]]) }), /tag 1 /],
    ['protected header not a bstr', doc({ body: new Map([[3, 'application/json']]) }), /protected header is not a bstr/],
    ['another content type', doc({ body: encodeCbor(new Map([[3, 'application/cbor']])) }), /content type/],
    ['no content type', doc({ body: encodeCbor(new Map()) }), /content type/],
    [
      'a critical header',
      doc({
        body: encodeCbor(
          new Map<number, unknown>([
            [3, 'application/json'],
            [2, [99]],
          ]),
        ),
      }),
      /critical/,
    ],
    ['payload not a bstr', doc({ payload: '{"version":1}' }), /payload is not a bstr/],
    ['payload not UTF-8', doc({ payload: Uint8Array.from([0x7b, 0xff, 0x7d]) }), /UTF-8/],
    ['payload not JSON', doc({ payload: new TextEncoder().encode('{version:1}') }), /not JSON/],
    ['payload a JSON array', doc({ payload: new TextEncoder().encode('[1]') }), /JSON object/],
    ['no signatures', doc({ sigs: [] }), /no signatures/],
    ['signatures not an array', doc({ sigs: new Map() }), /signatures is not an array/],
    ['too many signatures', doc({ sigs: Array.from({ length: MAX_SIGNATURES + 1 }, goodSig) }), /more than 32/],
    ['a signature of 2 items', doc({ sigs: [[signProtectedBytes(key), new Map()]] }), /3-element/],
    ['a 63-byte signature', doc({ sigs: [[signProtectedBytes(key), new Map(), new Uint8Array(63)]] }), /64-byte/],
    [
      'alg ES256',
      doc({
        sigs: [
          [
            encodeCbor(
              new Map<number, unknown>([
                [1, -7],
                [4, key.kid],
              ]),
            ),
            new Map(),
            new Uint8Array(64),
          ],
        ],
      }),
      /EdDSA/,
    ],
    ['kid only unprotected', doc({ sigs: [[encodeCbor(new Map([[1, -8]])), new Map([[4, key.kid]]), new Uint8Array(64)]] }), /kid/],
    [
      'a 7-byte kid',
      doc({
        sigs: [
          [
            encodeCbor(
              new Map<number, unknown>([
                [1, -8],
                [4, key.kid.subarray(1)],
              ]),
            ),
            new Map(),
            new Uint8Array(64),
          ],
        ],
      }),
      /8-byte/,
    ],
    ['alg in the unprotected header', doc({ sigs: [[signProtectedBytes(key), new Map([[1, -8]]), new Uint8Array(64)]] }), /unprotected/],
    ['truncated', doc({}).subarray(0, 30), /truncated|bad CBOR/],
    ['empty', new Uint8Array(0), /tag 98/],
  ])('refuses %s', (_what, bytes, why) => refused(bytes, why));

  it('refuses a document above the size bound unread', () => {
    refused(new Uint8Array(MAX_SIGNED_DOCUMENT_BYTES + 1), /larger than/);
  });

  it('never throws anything but SignedDocumentError on random mutations', () => {
    const base = signDocument('{"version":1,"years":[2027]}', [key, generateKey()]);
    let state = 12345;
    const rnd = (n: number) => {
      state = (state * 1103515245 + 12345) & 0x7fffffff;
      return state % n;
    };
    for (let i = 0; i < 500; i++) {
      const b = Uint8Array.from(base);
      for (let j = 0, m = 1 + rnd(4); j < m; j++) b[rnd(b.length)] = rnd(256);
      try {
        decodeSignedDocument(b);
      } catch (err) {
        expect(err).toBeInstanceOf(SignedDocumentError);
      }
    }
  });
});
