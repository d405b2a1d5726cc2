/**
 * Who may change what: k of n distinct root keys, other keys ignored, a key counted once,
 * a rotation signed by both roots, a retired root powerless, no rollback, an unusable list
 * refused whoever signed it. Real Ed25519 signatures from the test authority throughout.
 * @module
 */
import { describe, expect, it } from 'vitest';
import { authorise } from '../../../firmware-ts/signed/authorise.js';
import { decodeSignedDocument } from '../../../firmware-ts/signed/signed-document.js';
import { acceptRulesUpdate } from '../../../firmware-ts/signed/rules-update.js';
import { acceptTrustUpdate, SignedUpdateError } from '../../../firmware-ts/signed/trust-update.js';
import { parseTrustList, type TrustList } from '../../../firmware-ts/verify/trust-list.js';
import { generateKey } from '../../../sim/authority/keys.js';
import { generateRoot } from '../../../sim/authority/root-keys.js';
import { signDocument } from '../../../sim/authority/sign-document.js';
import { signPublication, type DocumentForgery } from '../../../sim/authority/signed-publications.js';
import { TestAuthority } from '../../../sim/authority/test-authority.js';

const authority = TestAuthority.create();
const root = generateRoot(3, 2);
const next = generateRoot(4, 3);
const held: TrustList = parseTrustList(authority.trustList(2, { root }));
const parties = { root, sl: authority.keys.sl };
const text = (version: number, r = root) => JSON.stringify(authority.trustList(version, { root: r }));
const doc = (bytes: Uint8Array) => decodeSignedDocument(bytes);
/** The check instant: the authority's lists run 90 days from now. */
const NOW = Math.floor(Date.now() / 1000);

describe('authorise (k of n distinct root keys)', () => {
  it('counts 2 of 3 and stops there', () => {
    const a = authorise(doc(signDocument(text(3), [root.keys[2]!, root.keys[0]!, root.keys[1]!])), parseTrustList(authority.trustList(2, { root })).root!);
    expect(a.authorised).toBe(true);
    expect(a.counted).toHaveLength(2);
  });

  it.each([
    ['under-signed', 1],
    ['non-root', 0],
    ['sl-signed', 1],
    ['double-counted', 1],
    ['damaged', 1],
  ] as const)('%s: not authorised (%i root key counted)', (forgery, n) => {
    const a = authorise(doc(signPublication(text(3), parties, forgery as DocumentForgery)), held.root!);
    expect(a.authorised).toBe(false);
    expect(a.counted).toHaveLength(n);
  });

  it('ignores a valid signature by an issuer key, even one the trust list holds', () => {
    const a = authorise(doc(signDocument(text(3), [authority.keys.mps, authority.keys.sl, root.keys[0]!])), held.root!);
    expect(a).toMatchObject({ authorised: false, counted: [Buffer.from(root.keys[0]!.kid).toString('hex')] });
  });

  it('a root key signing twice around a damaged copy still counts once', () => {
    const k = root.keys[1]!;
    const a = authorise(doc(signDocument(text(3), [k, k, k], { damage: [0] })), held.root!);
    expect(a.counted).toHaveLength(1);
    expect(a.authorised).toBe(false);
  });
});

describe('acceptTrustUpdate', () => {
  const accept = (bytes: Uint8Array, h: TrustList = held, nowSec: number | null = NOW) => acceptTrustUpdate(doc(bytes), h, nowSec);

  it('accepts a 2-of-3 update of a higher version', () => {
    const r = accept(signPublication(text(3), parties));
    expect(r).toMatchObject({ status: 'accepted', rotation: false });
    expect(r.list.version).toBe(3);
  });

  it('takes an authorised list of the held version as nothing new', () => {
    expect(accept(signPublication(text(2), parties)).status).toBe('current');
  });

  it('refuses a lower version (rollback), however well signed', () => {
    expect(() => accept(signPublication(text(1), parties))).toThrow(/version 1 is below the held version 2/);
  });

  it('accepts a rotation signed by the old root and the new one, and reports it', () => {
    const r = accept(signPublication(text(3, next), { ...parties, newRoot: next }));
    expect(r).toMatchObject({ status: 'accepted', rotation: true });
    expect(r.signers).toHaveLength(2 + 3);
  });

  it('refuses a rotation missing the new root’s threshold', () => {
    expect(() => accept(signPublication(text(3, next), { ...parties, newRoot: next }, 'rotation-without-new-root'))).toThrow(
      /rotation in version 3 lacks the new root's own signatures: 0 of the 3/,
    );
    // One short of the new threshold is as bad as none.
    expect(() => accept(signDocument(text(3, next), [...root.keys.slice(0, 2), ...next.keys.slice(0, 2)]))).toThrow(/2 of the 3/);
  });

  it('refuses a rotation signed by the new root alone (it is not in force yet)', () => {
    expect(() => accept(signDocument(text(3, next), next.keys))).toThrow(/not authorised by the root in force/);
  });

  it('after a rotation, the retired root can change nothing', () => {
    const rotated = accept(signPublication(text(3, next), { ...parties, newRoot: next })).list;
    const byRetired = signPublication(text(4, next), { root: next, retired: root, sl: authority.keys.sl }, 'retired-root');
    expect(() => accept(byRetired, rotated)).toThrow(/not authorised by the root in force/);
    expect(accept(signPublication(text(4, next), { root: next, sl: authority.keys.sl }), rotated).list.version).toBe(4);
  });

  it('refuses an unusable list whoever signed it, and a synced list without a root', () => {
    const noSl = JSON.stringify(authority.trustList(3, { root, issuers: ['mps', 'mot'] }));
    expect(() => accept(signPublication(noSl, parties))).toThrow(/cannot serve: trust list: no SL key/);
    const noIssuer = JSON.stringify(authority.trustList(3, { root, issuers: ['sl'] }));
    expect(() => accept(signPublication(noIssuer, parties))).toThrow(/no issuer of any credential type/);
    const noRoot = JSON.stringify(authority.trustList(3));
    expect(() => accept(signPublication(noRoot, parties))).toThrow(/has no root/);
  });

  it('a held list without root (version 1) can only be replaced by configuration', () => {
    const v1 = parseTrustList(authority.trustList(1));
    expect(() => accept(signPublication(text(3), parties), v1)).toThrow(/only configuration can replace it/);
  });

  it('every refusal is a SignedUpdateError', () => {
    expect(() => accept(signPublication(text(3), parties, 'non-root'))).toThrow(SignedUpdateError);
  });

  it('spec 1.2: refuses a new version without expires, or past it at the check instant (the clock the caller gives)', () => {
    const bare = JSON.stringify(authority.trustList(3, { root, expires: null }));
    expect(() => accept(signPublication(bare, parties))).toThrow(/trust list version 3 carries no expires: it cannot serve/);
    const dated = JSON.stringify(authority.trustList(3, { root, expires: '2026-06-01T00:00:00Z' }));
    const expiresSec = Date.parse('2026-06-01T00:00:00Z') / 1000;
    expect(() => accept(signPublication(dated, parties), held, expiresSec)).toThrow(/expired at 2026-06-01T00:00:00Z \(checked at 2026-06-01T00:00:00Z\)/);
    expect(accept(signPublication(dated, parties), held, expiresSec - 1).status).toBe('accepted');
    // A chain link replaced later in the same sync is judged on its signatures alone.
    expect(accept(signPublication(bare, parties), held, null).status).toBe('accepted');
  });

  it('spec 1.2: a list of the held version is nothing new and never judged on its expires', () => {
    const bare = JSON.stringify(authority.trustList(2, { root, expires: null }));
    expect(accept(signPublication(bare, parties)).status).toBe('current');
  });
});

describe('acceptRulesUpdate', () => {
  const calendar = (version: number, expires: string | null = '2099-01-01T00:00:00Z') =>
    JSON.stringify({ version, ...(expires === null ? {} : { expires }), years: [2027], holidays: ['2027-01-01'], workdays: [], statutoryFixed: ['01-01'] });

  it('accepts a calendar of a higher version signed by the root in force', () => {
    const r = acceptRulesUpdate(doc(signPublication(calendar(2), parties)), held.root, { name: 'calendar-cn', version: 2 }, 1, NOW);
    expect(r.status).toBe('accepted');
    expect(r.rules.name).toBe('calendar-cn');
  });

  it.each([
    ['signed by the SL key', () => signPublication(calendar(2), parties, 'sl-signed'), 2, 1, /not authorised/],
    ['version differs from the manifest', () => signPublication(calendar(3), parties), 2, 1, /version 3 is not the manifest's 2/],
    ['a lower version', () => signPublication(calendar(2), parties), 2, 5, /below the held version 5/],
    ['not a calendar', () => signPublication('{"version":2,"years":"2027"}', parties), 2, 1, /calendar-cn: years/],
  ])('refuses one %s', (_what, make, version, heldVersion, why) => {
    expect(() => acceptRulesUpdate(doc(make()), held.root, { name: 'calendar-cn', version }, heldVersion, NOW)).toThrow(why);
  });

  it('spec 1.2: refuses a new version without expires, past it, or with one that is no instant; the held version is not judged', () => {
    const take = (json: string, heldVersion: number) =>
      acceptRulesUpdate(doc(signPublication(json, parties)), held.root, { name: 'calendar-cn', version: 2 }, heldVersion, NOW);
    expect(() => take(calendar(2, null), 1)).toThrow(/rules calendar-cn version 2 carries no expires/);
    expect(() => take(calendar(2, '2020-01-01T00:00:00Z'), 1)).toThrow(/rules calendar-cn version 2 expired at 2020-01-01T00:00:00Z/);
    expect(() => take(calendar(2, 'next year'), 1)).toThrow(/rules calendar-cn: expires: not an ISO-8601 instant/);
    expect(take(calendar(2, null), 2).status).toBe('current');
    expect(take(calendar(2), 1).expires).toEqual({ text: '2099-01-01T00:00:00Z', sec: Date.parse('2099-01-01T00:00:00Z') / 1000 });
  });

  it('refuses any rules document when the held trust list has no root', () => {
    expect(() => acceptRulesUpdate(doc(signPublication(calendar(2), parties)), null, { name: 'calendar-cn', version: 2 }, 1, NOW)).toThrow(/no root/);
  });

  it('a stranger signing many times adds nothing', () => {
    const s = generateKey();
    const a = authorise(doc(signDocument(calendar(2), Array(32).fill(s))), held.root!);
    expect(a.counted).toHaveLength(0);
  });
});
