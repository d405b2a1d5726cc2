/**
 * The manifest: the vectors' one verifies and reads as published; anything malformed, or signed
 * by the wrong key, or outside the signing key's validity, is refused with a one-line reason.
 */
import { describe, expect, it } from 'vitest';
import { encodeCbor } from '../../../firmware-ts/codec/cbor.js';
import { verifyManifest } from '../../../firmware-ts/status/sync/index.js';
import { parseTrustList } from '../../../firmware-ts/verify/trust-list.js';
import { signCoseSign1 } from '../../../sim/authority/cose-sign.js';
import { TestAuthority } from '../../../sim/authority/test-authority.js';
import { trustEntry } from '../../../sim/authority/trust-list-json.js';
import { encodeManifestBody, type ManifestBody } from '../../../sim/status/manifest-signer.js';
import { vectors } from '../../helpers/vectors.js';

const authority = TestAuthority.create();
const trust = parseTrustList(authority.trustList(1));
const sha = Buffer.alloc(32, 7);
const body = (): ManifestBody => ({
  seq: 3,
  iat: 1_790_000_000,
  snap: { seq: 2, path: 'snap-2.bin', sha256: sha, count: 10 },
  deltas: [{ from: 2, to: 3, path: 'd/delta-2-3.bin', sha256: sha, count: 1 }],
  trust: { path: 'trust.json', sha256: sha },
});
const signed = (payload: Uint8Array) => signCoseSign1({ payload, key: authority.keys.sl });
const withField = (change: (m: Map<string, unknown>) => void) => {
  const m = new Map<string, unknown>([
    ['v', 1],
    ['seq', 3],
    ['iat', 1_790_000_000],
    [
      'snap',
      new Map<string, unknown>([
        ['seq', 2],
        ['path', 'snap-2.bin'],
        ['sha256', sha],
        ['count', 10],
      ]),
    ],
  ]);
  change(m);
  return signed(encodeCbor(m));
};

describe('verifyManifest', () => {
  it('reads the vectors manifest, signed by their SL key', () => {
    const m = verifyManifest(Buffer.from(vectors.statusList.files['manifest.cose']!, 'hex'), parseTrustList(vectors.trust));
    expect(m).toMatchObject({ seq: 2, snap: { seq: 1, path: 'snap-1.bin', count: 3 }, trust: null, signer: vectors.keys.sl.kid });
    expect(m.deltas).toMatchObject([{ from: 1, to: 2, path: 'delta-1-2.bin', count: 2 }]);
  });

  it('reads every field of a full manifest, unknown keys ignored', () => {
    const m = verifyManifest(signed(encodeManifestBody(body())), trust);
    expect(m).toMatchObject({ seq: 3, iat: 1_790_000_000, deltas: [{ path: 'd/delta-2-3.bin' }], trust: { path: 'trust.json' } });
    expect(
      verifyManifest(
        withField((x) => x.set('future', 'x')),
        trust,
      ).seq,
    ).toBe(3);
    // A seq beyond 32 bits travels as a 64-bit CBOR integer.
    expect(
      verifyManifest(
        withField((x) => x.set('seq', 2n ** 40n)),
        trust,
      ).seq,
    ).toBe(2 ** 40);
  });

  it.each([
    ['v is not 1', (m: Map<string, unknown>) => m.set('v', 2), /v is not 1/],
    ['seq missing', (m: Map<string, unknown>) => m.delete('seq'), /seq is missing/],
    ['negative iat', (m: Map<string, unknown>) => m.set('iat', -1), /iat is not an unsigned integer/],
    ['snapshot above seq', (m: Map<string, unknown>) => (m.get('snap') as Map<string, unknown>).set('seq', 4), /snap.seq 4 is above seq 3/],
    ['short hash', (m: Map<string, unknown>) => (m.get('snap') as Map<string, unknown>).set('sha256', Buffer.alloc(31)), /snap.sha256 is not a 32-byte bstr/],
    ['count over 32 bits', (m: Map<string, unknown>) => (m.get('snap') as Map<string, unknown>).set('count', 2n ** 32n), /count does not fit/],
    ['seq beyond 2^53', (m: Map<string, unknown>) => m.set('seq', 2n ** 60n), /seq is not an unsigned integer/],
    ['absolute path', (m: Map<string, unknown>) => (m.get('snap') as Map<string, unknown>).set('path', '/etc/passwd'), /plain relative path/],
    ['URL as path', (m: Map<string, unknown>) => (m.get('snap') as Map<string, unknown>).set('path', 'http://evil/x'), /plain relative path/],
    ['dot-dot path', (m: Map<string, unknown>) => (m.get('snap') as Map<string, unknown>).set('path', 'a/../../x'), /plain relative path/],
    ['control characters in a path', (m: Map<string, unknown>) => (m.get('snap') as Map<string, unknown>).set('path', 'a\nb'), /plain relative path/],
    [
      'delta going back',
      (m: Map<string, unknown>) =>
        m.set('deltas', [
          new Map<string, unknown>([
            ['from', 3],
            ['to', 3],
            ['path', 'x'],
            ['sha256', sha],
            ['count', 1],
          ]),
        ]),
      /deltas\[0\]\.from is not below to/,
    ],
    ['deltas not an array', (m: Map<string, unknown>) => m.set('deltas', 5), /deltas is not an array/],
  ])('refuses %s', (_name, change, why) => {
    expect(() => verifyManifest(withField(change), trust)).toThrow(why);
  });

  it('refuses a payload that is not CBOR, a manifest that is not COSE, one without kid', () => {
    expect(() => verifyManifest(signed(Uint8Array.of(0xff, 0x00)), trust)).toThrow(/payload is not CBOR/);
    expect(() => verifyManifest(Buffer.from('<html>'), trust)).toThrow(/not a COSE_Sign1/);
    expect(() => verifyManifest(signCoseSign1({ payload: encodeManifestBody(body()), key: authority.keys.sl, withKid: false }), trust)).toThrow(/no kid/);
  });

  it("refuses an iat outside the signing key's validity", () => {
    const narrow = parseTrustList({
      version: 1,
      issuers: [
        trustEntry(authority.keys.mps, 'CN-MPS-110000', ['DL']),
        trustEntry(authority.keys.sl, 'CN-MPS-SL', ['SL'], { notBefore: '2020-01-01T00:00:00Z', notAfter: '2025-01-01T00:00:00Z' }),
      ],
    });
    expect(() => verifyManifest(signed(encodeManifestBody(body())), narrow)).toThrow(/iat 1790000000 is outside the validity/);
  });
});
