/**
 * The known-answer vectors of `signedDocuments` (docs/vectors.json): every document decoded,
 * every Sig_structure and protected header matched byte for byte, the authorisation verdict of
 * each case reproduced against the installed root, whether each serves at the vectors'
 * `checkedAt` (spec 1.2: authorised, and carrying an `expires` not yet past), and the test
 * authority rebuilding every document exactly from the vectors' seeds.
 * @module
 */
import { describe, expect, it } from 'vitest';
import { authorise } from '../../../firmware-ts/signed/authorise.js';
import { decodeSignedDocument, documentSigStructure } from '../../../firmware-ts/signed/signed-document.js';
import { acceptTrustUpdate, SignedUpdateError } from '../../../firmware-ts/signed/trust-update.js';
import { acceptRulesUpdate } from '../../../firmware-ts/signed/rules-update.js';
import { parseTrustList } from '../../../firmware-ts/verify/trust-list.js';
import { keyFromSeed } from '../../../sim/authority/keys.js';
import { rootFromSeeds } from '../../../sim/authority/root-keys.js';
import { signDocument, signProtectedBytes, bodyProtectedBytes } from '../../../sim/authority/sign-document.js';
import { TestAuthority } from '../../../sim/authority/test-authority.js';
import { vectors } from '../../helpers/vectors.js';

const all = vectors;
const sd = all.signedDocuments;
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const installed = parseTrustList(sd.installed);
const root = installed.root!;
const checkedAtSec = Date.parse(sd.checkedAt) / 1000;

/** Whether a scanner holding the installed list takes the case's document at `checkedAt`; the refusal when not. */
function takenAt(c: (typeof sd.cases)[number], nowSec: number): { serves: true } | { serves: false; why: string } {
  const doc = decodeSignedDocument(Buffer.from(c.document.cose, 'hex'));
  try {
    if (c.name.startsWith('trust-')) acceptTrustUpdate(doc, installed, nowSec);
    else acceptRulesUpdate(doc, root, { name: 'calendar-cn', version: (doc.json as { version: number }).version }, null, nowSec);
    return { serves: true };
  } catch (err) {
    if (!(err instanceof SignedUpdateError)) throw err;
    return { serves: false, why: err.message };
  }
}

describe('signedDocuments known-answer vectors', () => {
  it('the installed list is a version-2 list whose root is the vectors’ three keys, 2 of 3', () => {
    expect(installed.version).toBe(2);
    expect(root.threshold).toBe(2);
    expect(root.keys.map((k) => k.kidHex)).toEqual(sd.rootKeys.map((k) => k.kid));
    sd.rootKeys.forEach((rk, i) => {
      const key = keyFromSeed(Buffer.from(rk.seed, 'hex'));
      expect(hex(key.publicKey)).toBe(rk.publicKey);
      expect(hex(key.kid)).toBe(rk.kid);
      expect(hex(root.keys[i]!.key)).toBe(rk.publicKey);
    });
  });

  it.each(sd.cases.map((c) => [c.name, c] as const))('%s: decoded byte for byte and authorised as the vector says', (_name, c) => {
    const doc = decodeSignedDocument(Buffer.from(c.document.cose, 'hex'));
    expect(Buffer.from(doc.payload).toString('utf8')).toBe(c.document.payload);
    expect(hex(doc.bodyProtected)).toBe(c.document.bodyProtected);
    // The vector lists each distinct signer once; the document may repeat one (same-key-twice).
    expect([...new Set(doc.signatures.map((s) => s.kidHex))]).toEqual(c.document.signatures.map((s) => s.kid));
    if (c.name === 'trust-v3-same-key-twice') expect(doc.signatures).toHaveLength(2);
    doc.signatures.forEach((s) => {
      const v = c.document.signatures.find((x) => x.kid === s.kidHex)!;
      expect(hex(s.protectedBytes)).toBe(v.signProtected);
      expect(hex(documentSigStructure(doc.bodyProtected, s.protectedBytes, doc.payload))).toBe(v.sigStructure);
    });
    expect(authorise(doc, root).authorised).toBe(c.authorised);
  });

  it.each(sd.cases.map((c) => [c.name, c] as const))('%s: serves at checkedAt exactly as the vector says (spec 1.2)', (_name, c) => {
    const taken = takenAt(c, checkedAtSec);
    expect(taken.serves).toBe(c.serves);
    // Serving needs authorisation: no case serves unauthorised.
    if (c.serves) expect(c.authorised).toBe(true);
  });

  it('the expired and the expiry-less documents are authorised, and refused for their expiry alone', () => {
    const byName = new Map(sd.cases.map((c) => [c.name, c]));
    const expired = byName.get('trust-v3-expired')!;
    const bare = byName.get('trust-v3-no-expires')!;
    expect([expired.authorised, expired.serves, bare.authorised, bare.serves]).toEqual([true, false, true, false]);
    const e = takenAt(expired, checkedAtSec);
    expect(e.serves === false && e.why).toMatch(/^trust list version 3 expired at 2026-06-01T00:00:00Z \(checked at 2026-11-20T02:00:00Z\): it cannot serve$/);
    expect(takenAt(expired, Date.parse('2026-05-31T23:59:59Z') / 1000).serves).toBe(true);
    const b = takenAt(bare, checkedAtSec);
    expect(b.serves === false && b.why).toBe('trust list version 3 carries no expires: it cannot serve (spec 1.2)');
    // No instant makes an expiry-less document serve.
    expect(takenAt(bare, 0).serves).toBe(false);
  });

  it('the authorised trust list replaces the installed one; the others are refused with the reason', () => {
    const byName = new Map(sd.cases.map((c) => [c.name, decodeSignedDocument(Buffer.from(c.document.cose, 'hex'))]));
    const ok = acceptTrustUpdate(byName.get('trust-v3-two-of-three')!, installed, checkedAtSec);
    expect(ok.status).toBe('accepted');
    expect(ok.list.version).toBe(3);
    expect(ok.rotation).toBe(false);
    expect(ok.signers).toEqual(['ce56042d8b418123', '5c445abdc572f71e']);
    expect(() => acceptTrustUpdate(byName.get('trust-v3-one-of-three')!, installed, checkedAtSec)).toThrow(
      /1 of the 2 signatures the root in force needs \(f6aa8515dd6688fb\)/,
    );
    expect(() => acceptTrustUpdate(byName.get('trust-v3-same-key-twice')!, installed, checkedAtSec)).toThrow(
      /1 of the 2 signatures the root in force needs \(ce56042d8b418123\)/,
    );
    const cal = acceptRulesUpdate(byName.get('calendar-2027-two-of-three')!, root, { name: 'calendar-cn', version: 2 }, 1, checkedAtSec);
    expect(cal.status).toBe('accepted');
    expect(cal.rules.version).toBe(2);
  });

  it('the test authority rebuilds every document exactly from the seeds', () => {
    const authority = TestAuthority.fromSeeds({
      mps: all.keys.mps.seed,
      mot: all.keys.mot.seed,
      sl: all.keys.sl.seed,
      holder: all.keys.holder.seed,
    });
    const rootKeys = rootFromSeeds(
      2,
      sd.rootKeys.map((k) => k.seed),
    );
    const installedExpires = (sd.installed as { expires: string }).expires;
    expect(authority.trustList(2, { root: rootKeys, expires: installedExpires })).toEqual(sd.installed);
    const v3 = (expires: string | null) => JSON.stringify(authority.trustList(3, { root: rootKeys, issuers: ['mps', 'sl'], expires }));
    const byKid = new Map(rootKeys.keys.map((k) => [hex(k.kid), k]));
    for (const c of sd.cases) {
      if (c.name.startsWith('trust-')) expect(v3((JSON.parse(c.document.payload) as { expires?: string }).expires ?? null)).toBe(c.document.payload);
      const kids = decodeSignedDocument(Buffer.from(c.document.cose, 'hex')).signatures.map((s) => s.kidHex);
      const signers = kids.map((kid) => byKid.get(kid)!);
      expect(hex(bodyProtectedBytes())).toBe(c.document.bodyProtected);
      for (const v of c.document.signatures) expect(hex(signProtectedBytes(byKid.get(v.kid)!))).toBe(v.signProtected);
      expect(hex(signDocument(c.document.payload, signers))).toBe(c.document.cose);
    }
  });
});
