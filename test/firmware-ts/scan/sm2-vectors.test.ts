/**
 * The `sm2` known-answer vectors of docs/vectors.json through the product: every scan vector
 * through the checker and the once-only step (mixed trust list: SM2 and Ed25519 keys, SM2 and
 * Ed25519 holders, alg/key mismatches both ways), the trust lists that must be refused, the
 * SM2-signed status list synced over real HTTP (then the revoked registration is REVOKED), and
 * the signed documents of the SM2 root authorised as the vectors say.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { shippedChecker } from '../../../firmware-ts/app/shipped-checker.js';
import { authorise } from '../../../firmware-ts/signed/authorise.js';
import { decodeSignedDocument, documentSigStructure } from '../../../firmware-ts/signed/signed-document.js';
import { acceptTrustUpdate } from '../../../firmware-ts/signed/trust-update.js';
import { LocalOnceOnlyStore } from '../../../firmware-ts/station/local-once-only-store.js';
import { OnceOnlyStage } from '../../../firmware-ts/station/once-only-stage.js';
import { StatusListStore, statusDataDir } from '../../../firmware-ts/status/list/index.js';
import { syncOnce, verifyManifest } from '../../../firmware-ts/status/sync/index.js';
import { openDatabase } from '../../../firmware-ts/store/database.js';
import { parseTrustList, TrustListError } from '../../../firmware-ts/verify/trust-list.js';
import { StatusServer } from '../../../sim/status/status-server.js';
import { vectors } from '../../helpers/vectors.js';

const sm2 = vectors.sm2;
const dir = mkdtempSync(join(tmpdir(), 'roadscan-sm2-vectors-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

describe('sm2 scan vectors through the checker', () => {
  for (const v of sm2.vectors) {
    it(`${v.name}: ${v.expect.verdict} ${v.expect.reasons.join(',')}`, async () => {
      const checker = shippedChecker({ trust: sm2.trust, profile: v.profile, region: v.region, station: v.station ?? null });
      const stage = new OnceOnlyStage({ store: new LocalOnceOnlyStore(openDatabase(join(dir, `${v.name}.db`))), profile: v.profile, device: 'test-device' });
      const time = { nowSec: Date.parse(v.now) / 1000, reliable: true };
      const r = (await stage.apply(checker.check(v.qr, time), { scanId: 'scan-1', nowSec: time.nowSec })).result;
      // No list was synced: STATUS_LIST_STALE follows, and turns an accept into a warn.
      expect(r.reasons).toEqual([...v.expect.reasons, 'STATUS_LIST_STALE']);
      expect(r.verdict).toBe(v.expect.verdict === 'accept' ? 'warn' : v.expect.verdict);
    });
  }

  it('the mixed list holds each key with its alg', () => {
    const list = parseTrustList(sm2.trust);
    expect(list.keys.map((k) => `${k.kidHex}:${k.publicKey.alg}`)).toEqual([
      `${sm2.keys.issuer.kid}:SM2`,
      expect.stringMatching(/:EdDSA$/),
      expect.stringMatching(/:EdDSA$/),
      expect.stringMatching(/:EdDSA$/),
      `${sm2.keys.sl.kid}:SM2`,
    ]);
  });
});

describe('sm2 trust lists that cannot serve', () => {
  it.each(sm2.refusedTrust.map((t) => [t.name, t] as const))('%s: refused whole, in one line', (_name, t) => {
    expect(t.refused).toBe(true);
    let error: unknown;
    try {
      parseTrustList(t.trust);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(TrustListError);
    const message = (error as Error).message;
    expect(message).not.toContain('\n');
    expect(message).toMatch(/^trust list: /);
  });
});

describe('the sm2 status list, signed by the SM2 SL key, over HTTP', () => {
  const www = join(dir, 'www');
  let server: StatusServer;
  beforeAll(async () => {
    mkdirSync(www, { recursive: true });
    for (const [name, bytes] of Object.entries(sm2.statusList.files)) writeFileSync(join(www, name), Buffer.from(bytes, 'hex'));
    server = await StatusServer.start(www);
  });
  afterAll(() => server.close());

  it('the manifest verifies with the SM2 SL key, and not against a list where that kid is Ed25519-only', () => {
    const manifest = verifyManifest(Buffer.from(sm2.statusList.files['manifest.cose']!, 'hex'), parseTrustList(sm2.trust));
    expect(manifest.signer).toBe(sm2.keys.sl.kid);
    expect(() => verifyManifest(Buffer.from(sm2.statusList.files['manifest.cose']!, 'hex'), parseTrustList(vectors.trust))).toThrow(/does not hold/);
  });

  it('syncs, and the registration of sm2-vr-live-ed25519-holder is then REVOKED', async () => {
    const dbFile = join(dir, 'synced.db');
    const db = openDatabase(dbFile);
    const trust = parseTrustList(sm2.trust);
    const out = await syncOnce({ db, dataDir: statusDataDir(dbFile), baseUrl: server.url, trust, timeoutMs: 5000 });
    expect(out.error).toBeUndefined();
    expect(out).toMatchObject({ ok: true, seq: 1 });
    const store = StatusListStore.open(db, statusDataDir(dbFile));
    const v = sm2.vectors.find((x) => x.name === 'sm2-vr-live-ed25519-holder')!;
    const r = shippedChecker({ trust: sm2.trust, profile: v.profile, region: v.region, status: store }).check(v.qr, { nowSec: Date.parse(v.now) / 1000, reliable: true });
    expect(r.verdict).toBe('reject');
    expect(r.reasons[0]).toBe('REVOKED');
  });
});

describe('sm2 signed documents: COSE_Sign by SM2 root keys', () => {
  const sd = sm2.signedDocuments;
  const installed = parseTrustList(sd.installed);

  it('the installed list carries the three SM2 root keys, 2 of 3', () => {
    expect(installed.root!.threshold).toBe(2);
    expect(installed.root!.keys.map((k) => `${k.kidHex}:${k.publicKey.alg}`)).toEqual(sd.rootKeys.map((n) => `${sm2.keys[n].kid}:SM2`));
  });

  it.each(sd.cases.map((c) => [c.name, c] as const))('%s: decoded byte for byte, authorised as the vector says', (_name, c) => {
    const doc = decodeSignedDocument(Buffer.from(c.document.cose, 'hex'));
    expect(hex(doc.bodyProtected)).toBe(c.document.bodyProtected);
    doc.signatures.forEach((s, i) => {
      const v = c.document.signatures[i]!;
      expect(s.kidHex).toBe(v.kid);
      expect(s.alg).toBe(-65601);
      expect(hex(documentSigStructure(doc.bodyProtected, s.protectedBytes, doc.payload))).toBe(v.sigStructure);
    });
    expect(authorise(doc, installed.root!).authorised).toBe(c.authorised);
    // Spec 1.2: whether it serves is judged at the vectors' checkedAt (authorised, and its expires not past).
    const checkedAtSec = Date.parse(sd.checkedAt) / 1000;
    if (c.serves) expect(acceptTrustUpdate(doc, installed, checkedAtSec).list.version).toBe(3);
    else expect(() => acceptTrustUpdate(doc, installed, checkedAtSec)).toThrow();
  });
});
