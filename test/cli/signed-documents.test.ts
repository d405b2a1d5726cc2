/**
 * Who may change what, end to end (docs/STATUS-LIST.md "Signed documents"): the authority
 * publishes on a real HTTP server on 127.0.0.1, the scanner runs the built `roadscan sync`
 * and then `roadscan verify`. Every refusal refuses the WHOLE sync: each forged publication
 * also revokes a fresh licence, and that licence still verifies afterwards, so neither the
 * trust list, nor the rules, nor the status list moved. Then the accepted cases: a 2-of-3
 * update, a root rotation (and a second scanner catching up over two rotations, one version at
 * a time), a calendar that changes a working-day verdict, an adoption table that changes a
 * region verdict.
 * @module
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packagedConfigFile } from '../../firmware-ts/paths.js';
import { generateRoot, type RootKeySet } from '../../sim/authority/root-keys.js';
import { signPublication, type DocumentForgery, type SigningParties } from '../../sim/authority/signed-publications.js';
import type { DocumentToPublish } from '../../sim/status/status-publisher.js';
import { runCli } from '../helpers/cli.js';
import { StatusWorld, randomKeyHex } from '../firmware-ts/status/status-fixture.js';

const shipped = (f: string) => JSON.parse(readFileSync(packagedConfigFile(f), 'utf8')) as Record<string, unknown>;
const NOW_SEC = Math.floor(Date.now() / 1000);
const NOW_ISO = new Date(NOW_SEC * 1000).toISOString();
/** Spec 1.2: every signed document carries expires; these run a year. */
const EXPIRES = new Date((NOW_SEC + 365 * 86400) * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');

/** Calendar v2: the shipped schedule plus 2027, whose 4 and 5 January are (in this test) days off. */
const calendarV2 = () => {
  const c = shipped('calendar-cn.json');
  return {
    ...c,
    version: 2,
    expires: EXPIRES,
    years: [...(c.years as number[]), 2027],
    holidays: [...(c.holidays as string[]), '2027-01-01', '2027-01-04', '2027-01-05'],
  };
};
/** Adoption v2: the licence is withdrawn everywhere but Tianjin. */
const adoptionV2 = () => {
  const a = shipped('adoption.json');
  return { ...a, version: 2, expires: EXPIRES, types: { ...(a.types as object), DL: [{ region: '120000', from: '2021-06-01' }] } };
};

describe('signed trust lists and rules data through roadscan sync and roadscan verify', () => {
  let w: StatusWorld;
  let r2: RootKeySet;
  let r3: RootKeySet;
  let trustFile: string;
  /** The root a scanner holds now (the test follows the accepted rotations). */
  let held: RootKeySet;

  beforeAll(async () => {
    w = await StatusWorld.create();
    w.db.close();
    r2 = generateRoot(3, 2);
    r3 = generateRoot(5, 3);
    held = w.rootKeys;
    trustFile = join(w.root, 'trust.json');
    // The anchor the scanner is installed with: version 1, naming root 1 (2 of 3).
    writeFileSync(trustFile, JSON.stringify(w.authority.trustList(1, { root: w.rootKeys })));
    w.publish({ [randomKeyHex()]: 1 });
    expect((await sync()).ok).toBe(true);
  });
  afterAll(() => w.close());

  const parties = (over: Partial<SigningParties> = {}): SigningParties => ({ root: held, sl: w.authority.keys.sl, ...over });
  const trustDoc = (
    version: number,
    opts: { root?: RootKeySet; list?: object; signers?: Partial<SigningParties>; forgery?: DocumentForgery } = {},
  ): DocumentToPublish => {
    const list = opts.list ?? w.authority.trustList(version, { root: opts.root ?? held });
    return { version, bytes: signPublication(JSON.stringify(list), parties(opts.signers), opts.forgery) };
  };
  const rulesDoc = (json: { version: number }, signers: Partial<SigningParties> = {}, forgery?: DocumentForgery): DocumentToPublish => ({
    version: json.version,
    bytes: signPublication(JSON.stringify(json), parties(signers), forgery),
  });

  async function sync(db = w.dbFile) {
    const r = await runCli(['sync', '--url', w.server.url, '--json', '--db', db, '--trust', trustFile]);
    const out = JSON.parse(r.stdout) as { ok: boolean; seq: number; error: string | null; trustVersion?: number; rules?: Record<string, number> };
    expect(r.code, r.stderr).toBe(out.ok ? 0 : 1);
    return out;
  }
  async function status(db = w.dbFile) {
    return JSON.parse((await runCli(['status', '--json', '--db', db, '--trust', trustFile])).stdout) as {
      seq: number;
      trustVersion: number;
      rules: Record<string, number | null>;
    };
  }
  async function verify(text: string, now = NOW_ISO, db = w.dbFile) {
    const r = await runCli(['verify', '--json', '--now', now, '--db', db, '--trust', trustFile, '--region', '110105', text]);
    expect(r.stderr).toBe('');
    return JSON.parse(r.stdout) as { verdict: string; reasons: string[] };
  }
  const licence = () => w.authority.code({ type: 'DL', now: NOW_SEC });

  /** Publishes `what` together with the revocation of a fresh licence; the sync must refuse it all. */
  async function expectRefused(what: Parameters<StatusWorld['publish']>[1], why: RegExp) {
    const before = await status();
    const code = licence();
    const verdictBefore = await verify(code.text);
    w.publish({ [code.statusKey]: 1 }, what);
    const out = await sync();
    expect(out.ok).toBe(false);
    expect(out.error).toMatch(why);
    expect(out.error).not.toMatch(/\n/);
    const after = await status();
    expect(after).toMatchObject({ seq: before.seq, trustVersion: before.trustVersion, rules: before.rules });
    // Nothing moved: the revocation published with the refused file is not in force either.
    const verdictAfter = await verify(code.text);
    expect(verdictAfter).toMatchObject({ verdict: verdictBefore.verdict, reasons: verdictBefore.reasons });
    expect(verdictAfter.reasons).not.toContain('REVOKED');
  }

  it('status shows the installed anchor and the shipped rules data, version 1 each', async () => {
    expect(await status()).toMatchObject({ seq: 1, trustVersion: 1, rules: { 'calendar-cn': 1, adoption: 1 } });
  });

  it.each<[string, DocumentForgery, RegExp]>([
    ['under-signed (1 of 2)', 'under-signed', /not authorised by the root in force: 1 of the 2 signatures/],
    ['signed by keys outside the root', 'non-root', /not authorised by the root in force: 0 of the 2 signatures/],
    ['signed by the SL key (with one root key)', 'sl-signed', /not authorised by the root in force: 1 of the 2 signatures/],
    ['one root key counted twice', 'double-counted', /not authorised by the root in force: 1 of the 2 signatures/],
    ['a damaged signature', 'damaged', /not authorised by the root in force: 1 of the 2 signatures/],
  ])('refuses a trust list %s', async (_what, forgery, why) => {
    await expectRefused({ trustDocument: trustDoc(2, { forgery }) }, why);
  });

  it('refuses a well-signed trust list that cannot serve (no SL key)', async () => {
    const unusable = w.authority.trustList(2, { root: held, issuers: ['mps', 'mot'] });
    await expectRefused({ trustDocument: trustDoc(2, { list: unusable }) }, /cannot serve: trust list: no SL key/);
  });

  it('spec 1.2: refuses well-signed rules data past its expires, or without one, whatever comes with it', async () => {
    const { expires: _, ...bare } = calendarV2();
    try {
      // A good trust list comes with each: it is refused with them, the whole sync is.
      await expectRefused({ trustDocument: trustDoc(2), rules: { 'calendar-cn': rulesDoc(bare) } }, /rules calendar-cn version 2 carries no expires/);
      await expectRefused(
        { trustDocument: trustDoc(2), rules: { 'calendar-cn': null, adoption: rulesDoc(Object.assign(adoptionV2(), { expires: '2026-01-01T00:00:00+08:00' })) } },
        /rules adoption version 2 expired at 2026-01-01T00:00:00\+08:00/,
      );
    } finally {
      w.publish({}, { rules: { 'calendar-cn': null, adoption: null } });
    }
  });

  it('spec 1.2: refuses a well-signed trust list past its expires, or without one', async () => {
    const expired = w.authority.trustList(2, { root: held, expires: '2026-06-01T00:00:00Z' });
    await expectRefused(
      { trustDocument: trustDoc(2, { list: expired }) },
      /trust list version 2 expired at 2026-06-01T00:00:00Z \(checked at [0-9T:-]+Z\): it cannot serve/,
    );
    const bare = w.authority.trustList(2, { root: held, expires: null });
    await expectRefused({ trustDocument: trustDoc(2, { list: bare }) }, /trust list version 2 carries no expires: it cannot serve/);
  });

  it('refuses a trust list as plain JSON (version-1 publishing)', async () => {
    await expectRefused({ trust: w.authority.trustList(2, { root: held }) }, /not a COSE_Sign \(tag 98\)/);
  });

  it('accepts a 2-of-3 update, with the status list of the same publication', async () => {
    const code = licence();
    w.publish({ [code.statusKey]: 1 }, { trustDocument: trustDoc(2) });
    expect(await sync()).toMatchObject({ ok: true, trustVersion: 2 });
    expect(await status()).toMatchObject({ trustVersion: 2 });
    expect(await verify(code.text)).toMatchObject({ verdict: 'reject', reasons: ['REVOKED'] });
  });

  it('refuses a lower version, however well signed', async () => {
    await expectRefused({ trustDocument: trustDoc(1) }, /trust list version 1 is below the held version 2/);
  });

  it('refuses a rotation missing the new root’s signatures', async () => {
    await expectRefused(
      { trustDocument: trustDoc(3, { root: r2, signers: { newRoot: r2 }, forgery: 'rotation-without-new-root' }) },
      /root rotation in version 3 lacks the new root's own signatures: 0 of the 2/,
    );
  });

  let rotation: DocumentToPublish;
  it('accepts a rotation signed by the old root and the new one', async () => {
    rotation = trustDoc(3, { root: r2, signers: { newRoot: r2 } });
    w.publish({}, { trustDocument: rotation });
    expect(await sync()).toMatchObject({ ok: true, trustVersion: 3 });
    held = r2;
  });

  it('refuses a trust list and a calendar signed by the retired root', async () => {
    await expectRefused({ trustDocument: trustDoc(4, { signers: { root: w.rootKeys } }) }, /not authorised by the root in force: 0 of the 2/);
    // The authority takes the refused file back: the manifest names the list in force again,
    // byte for byte, so the scanner does not even fetch it.
    w.publish({}, { trustDocument: rotation });
    expect(await sync()).toMatchObject({ ok: true });
    expect((await sync()).trustVersion).toBeUndefined();
    await expectRefused({ rules: { 'calendar-cn': rulesDoc(calendarV2(), { root: w.rootKeys }) } }, /rules calendar-cn: not authorised by the root in force/);
    w.publish({}, { rules: { 'calendar-cn': null } });
  });

  it('refuses rules data signed by the SL key', async () => {
    await expectRefused({ rules: { adoption: rulesDoc(adoptionV2(), {}, 'sl-signed') } }, /rules adoption: not authorised/);
    w.publish({}, { rules: { adoption: null } });
  });

  it('a calendar that changes a working-day verdict', async () => {
    // A grant over 4-13 January 2027: 8 working days by the shipped data, 6 once 4 and 5 January are off.
    const at = Date.parse('2027-01-05T02:00:00Z') / 1000;
    const grant = w.authority.code({
      type: 'VA',
      now: at,
      nbf: Date.parse('2027-01-03T16:00:00Z') / 1000,
      exp: Date.parse('2027-01-13T16:00:00Z') / 1000,
      iat: at - 86400 * 3,
    });
    const nowIso = new Date(at * 1000).toISOString();
    expect((await verify(grant.text, nowIso)).reasons).toContain('AUTHORIZATION_TOO_LONG');
    w.publish({}, { rules: { 'calendar-cn': rulesDoc(calendarV2()) } });
    expect(await sync()).toMatchObject({ ok: true, rules: { 'calendar-cn': 2 } });
    expect((await status()).rules).toEqual({ 'calendar-cn': 2, adoption: 1, policy: 0 });
    const after = await verify(grant.text, nowIso);
    expect(after.reasons).not.toContain('AUTHORIZATION_TOO_LONG');
    expect(after.reasons).not.toContain('CALENDAR_UNKNOWN');
    expect(after.verdict).not.toBe('reject');
  });

  it('an adoption table that changes a region verdict, and no way back to the older one', async () => {
    const code = licence();
    expect(await verify(code.text)).toMatchObject({ verdict: 'accept' });
    w.publish({}, { rules: { adoption: rulesDoc(adoptionV2()) } });
    expect(await sync()).toMatchObject({ ok: true, rules: { adoption: 2 } });
    expect(await verify(code.text)).toMatchObject({ verdict: 'reject', reasons: ['NOT_ACCEPTED_IN_REGION'] });
    await expectRefusedRules();
  });

  /** A signed adoption table of version 1 now: a rollback. */
  async function expectRefusedRules() {
    const before = await status();
    w.publish({}, { rules: { adoption: rulesDoc({ ...shipped('adoption.json'), version: 1 }) } });
    const out = await sync();
    expect(out).toMatchObject({ ok: false });
    expect(out.error).toMatch(/rules adoption: version 1 is below the held version 2/);
    expect(await status()).toMatchObject({ seq: before.seq, rules: { adoption: 2 } });
  }

  it('a second rotation; a scanner that missed everything catches up one version at a time', async () => {
    // The authority rotates to root 3 and re-signs the rules data in force with it.
    w.publish(
      {},
      {
        trustDocument: trustDoc(4, { root: r3, signers: { newRoot: r3 } }),
        rules: { 'calendar-cn': rulesDoc(calendarV2(), { root: r3 }), adoption: rulesDoc(adoptionV2(), { root: r3 }) },
      },
    );
    expect(await sync()).toMatchObject({ ok: true, trustVersion: 4 });
    held = r3;
    // A scanner installed with the version-1 anchor (root 1) that was offline all along.
    const late = join(w.root, 'late.db');
    const out = await sync(late);
    expect(out).toMatchObject({ ok: true, trustVersion: 4, rules: { 'calendar-cn': 2, adoption: 2 } });
    expect(await status(late)).toMatchObject({ trustVersion: 4, rules: { 'calendar-cn': 2, adoption: 2 } });
    expect(await verify(licence().text, NOW_ISO, late)).toMatchObject({ verdict: 'reject', reasons: ['NOT_ACCEPTED_IN_REGION'] });
    // Root 2 is retired now: it can change nothing any more.
    await expectRefused({ trustDocument: trustDoc(5, { signers: { root: r2 } }) }, /not authorised by the root in force: 0 of the 3/);
  });
});
