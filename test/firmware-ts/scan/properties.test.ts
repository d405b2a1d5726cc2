import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { base45Encode } from '../../../firmware-ts/codec/base45.js';
import { CREDENTIAL_TYPES } from '../../../firmware-ts/codec/claims.js';
import { decodeQrText } from '../../../firmware-ts/codec/qr-text.js';
import { shippedChecker } from '../../../firmware-ts/app/shipped-checker.js';
import { TestAuthority } from '../../../sim/authority/test-authority.js';

const authority = TestAuthority.create();
const NOW = Math.floor(Date.parse('2026-11-20T02:00:00Z') / 1000);
const time = { nowSec: NOW, reliable: true };
const checker = shippedChecker({ trust: authority.trustList(), profile: 'window' });
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

describe('properties of the scan path', () => {
  it('any text gets a verdict and never throws', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ unit: 'binary', maxLength: 400 }),
          fc.string().map((s) => `RS1:${s}`),
        ),
        (text) => {
          const r = checker.check(text, time);
          expect(r.verdict).toBe('reject');
          expect(r.reasons[0]).toBe('MALFORMED');
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('any byte string as a body gets a verdict, and is never accepted', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 600 }), (bytes) => {
        expect(checker.check(`RS1:${base45Encode(bytes)}`, time).verdict).toBe('reject');
      }),
      { numRuns: 2000 },
    );
  });

  it('flipping any bit of a valid live code never lets it through', () => {
    const valid = CREDENTIAL_TYPES.map((type) => authority.code({ type, now: NOW, compress: false }).text);
    fc.assert(
      fc.property(fc.constantFrom(...valid), fc.nat(), fc.integer({ min: 0, max: 7 }), (text, at, bit) => {
        const bytes = Buffer.from(decodeQrText(text));
        bytes[at % bytes.length] = bytes[at % bytes.length]! ^ (1 << bit);
        // The unprotected header is an empty map in these codes: any change there breaks the structure.
        expect(checker.check(`RS1:${base45Encode(bytes)}`, time).verdict).toBe('reject');
      }),
      { numRuns: 3000 },
    );
  });

  it('a round trip through the test authority always verifies, whatever the field text', () => {
    fc.assert(
      fc.property(fc.constantFrom('DL', 'VR', 'VD'), fc.string({ unit: 'binary', maxLength: 40 }), (type, text) => {
        const field = type === 'DL' ? 'nam' : 'own';
        const r = checker.check(authority.code({ type, now: NOW, dat: { [field]: text, off: text } }).text, time);
        expect(r.reasons).toEqual(['STATUS_LIST_STALE']);
        for (const v of Object.values(r.fields)) expect(v).not.toMatch(CONTROL);
      }),
      { numRuns: 300 },
    );
  });
});
