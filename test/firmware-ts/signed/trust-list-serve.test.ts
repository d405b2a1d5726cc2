/**
 * docs/CREDENTIALS.md section 5: a trust list that cannot serve is refused whoever signed it,
 * with one line naming why; a version-2 list's root is parsed and checked the same way.
 * @module
 */
import { describe, expect, it } from 'vitest';
import { parseRoot, sameRoot } from '../../../firmware-ts/verify/trust-root.js';
import { parseIsoInstant, parseTrustList, TrustListError } from '../../../firmware-ts/verify/trust-list.js';
import { generateRoot, rootJsonOf } from '../../../sim/authority/root-keys.js';
import { TestAuthority } from '../../../sim/authority/test-authority.js';

const authority = TestAuthority.create();
const root = generateRoot(3, 2);
const base = () => structuredClone(authority.trustList(2, { root })) as ReturnType<typeof authority.trustList> & Record<string, unknown>;

describe('trust lists that cannot serve', () => {
  it('accepts the authority’s version-2 list with its root', () => {
    const list = parseTrustList(base());
    expect(list.version).toBe(2);
    expect(list.root!.threshold).toBe(2);
    expect(list.root!.keys).toHaveLength(3);
    expect(parseTrustList(authority.trustList(1)).root).toBeNull();
  });

  it.each<[string, (l: ReturnType<typeof base>) => void, RegExp]>([
    ['no issuer of any credential type', (l) => (l.issuers = l.issuers.filter((e) => e.types.includes('SL'))), /no issuer of any credential type/],
    [
      'issuers of unknown types only',
      (l) => (l.issuers = l.issuers.map((e) => (e.types.includes('SL') ? e : { ...e, types: ['XX'] }))),
      /no issuer of any credential type/,
    ],
    ['no SL key', (l) => (l.issuers = l.issuers.filter((e) => !e.types.includes('SL'))), /no SL key/],
    ['no issuers at all', (l) => (l.issuers = []), /no issuer/],
    ['a kid twice', (l) => l.issuers.push({ ...l.issuers[0]!, iss: 'CN-MPS-120000' }), /listed twice/],
    ['a kid not matching its key', (l) => (l.issuers[0]!.kid = l.issuers[1]!.kid), /does not match its key/],
    ['a window ending before it starts', (l) => (l.issuers[0]!.notAfter = '2019-12-31T23:59:59Z'), /ends .* before it starts/],
    ['a date without time', (l) => (l.issuers[0]!.notBefore = '2020-01-01'), /notBefore: not an ISO-8601 instant/],
    ['a slash date Date.parse would take', (l) => (l.issuers[0]!.notAfter = '2040/01/01 00:00:00'), /notAfter: not an ISO-8601 instant/],
    ['30 February', (l) => (l.issuers[0]!.notAfter = '2040-02-30T00:00:00Z'), /not an ISO-8601 instant/],
    ['hour 24', (l) => (l.issuers[0]!.notAfter = '2040-01-01T24:00:00Z'), /not an ISO-8601 instant/],
    ['no zone', (l) => (l.issuers[0]!.notAfter = '2040-01-01T00:00:00'), /not an ISO-8601 instant/],
    ['version 0', (l) => (l.version = 0), /version: not a positive integer/],
    ['version 2.5', (l) => (l.version = 2.5), /version: not a positive integer/],
    ['version as text', (l) => ((l as Record<string, unknown>).version = '3'), /version/],
    ['a root of threshold 0', (l) => (l.root = { ...l.root!, threshold: 0 }), /root.threshold: not a positive integer/],
    ['a root of threshold above its keys', (l) => (l.root = { ...l.root!, threshold: 4 }), /above its 3 keys/],
    ['a root without keys', (l) => (l.root = { threshold: 1, keys: [] }), /root.keys/],
    ['a root key twice', (l) => (l.root = { threshold: 2, keys: [l.root!.keys[0]!, l.root!.keys[0]!] }), /listed twice/],
    [
      'a root kid not matching its key',
      (l) => (l.root = { threshold: 2, keys: [{ ...l.root!.keys[0]!, kid: l.root!.keys[1]!.kid }, l.root!.keys[2]!] }),
      /does not match its key/,
    ],
    ['a root of null', (l) => ((l as Record<string, unknown>).root = null), /root: not an object/],
  ])('refuses %s', (_what, spoil, why) => {
    const l = base();
    spoil(l);
    expect(() => parseTrustList(l)).toThrow(TrustListError);
    expect(() => parseTrustList(l)).toThrow(why);
  });

  it('takes an offset instant as the same second', () => {
    expect(parseIsoInstant('2020-01-01T08:00:00+08:00')).toBe(parseIsoInstant('2020-01-01T00:00:00Z'));
    expect(parseIsoInstant('2019-12-31T19:30:00-04:30')).toBe(parseIsoInstant('2020-01-01T00:00:00Z'));
    const l = base();
    l.issuers[0]!.notBefore = '2020-01-01T08:00:00+08:00';
    expect(parseTrustList(l).keys[0]!.notBefore).toBe(Date.parse('2020-01-01T00:00:00Z') / 1000);
  });

  it('compares roots by threshold and key set, not order', () => {
    const a = parseRoot(rootJsonOf(root));
    const reordered = rootJsonOf(root);
    reordered.keys.reverse();
    expect(sameRoot(a, parseRoot(reordered))).toBe(true);
    expect(sameRoot(a, parseRoot({ ...rootJsonOf(root), threshold: 3 }))).toBe(false);
    expect(sameRoot(a, parseRoot(rootJsonOf(generateRoot(3, 2))))).toBe(false);
  });
});
