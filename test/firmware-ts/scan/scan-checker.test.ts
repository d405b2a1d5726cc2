/**
 * The checker over the shipped rules data, with no status list: every reason code of
 * docs/CREDENTIALS.md section 6 reached through it (with the once-only step after it), and the
 * spec vectors.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { shippedChecker } from '../../../firmware-ts/app/shipped-checker.js';
import { openDatabase } from '../../../firmware-ts/store/database.js';
import { LocalOnceOnlyStore } from '../../../firmware-ts/station/local-once-only-store.js';
import { OnceOnlyStage } from '../../../firmware-ts/station/once-only-stage.js';
import { generateRoot } from '../../../sim/authority/root-keys.js';
import { TestAuthority } from '../../../sim/authority/test-authority.js';
import { NOW, reasonCases, type Setting } from '../../helpers/reason-cases.js';
import { vectors } from '../../helpers/vectors.js';

const dir = mkdtempSync(join(tmpdir(), 'roadscan-checker-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function checkerFor(trust: unknown, setting: Setting) {
  return shippedChecker({ trust, profile: setting.profile, region: setting.region, station: setting.station ?? null });
}

/** The check and the once-only step after it, on a real database per setting, as the appliance runs them. */
function pipelineFor(trust: unknown, setting: Setting, dbFile: string) {
  const checker = checkerFor(trust, setting);
  const stage = new OnceOnlyStage({ store: new LocalOnceOnlyStore(openDatabase(dbFile)), profile: setting.profile, device: 'test-device' });
  let n = 0;
  return async (text: string, time: { nowSec: number; reliable: boolean }) =>
    (await stage.apply(checker.check(text, time), { scanId: `scan-${++n}`, nowSec: time.nowSec })).result;
}

describe('ScanChecker: every reason code without a status list', () => {
  const authority = TestAuthority.create();
  const pipelines = new Map<string, ReturnType<typeof pipelineFor>>();
  for (const k of reasonCases(authority)) {
    it(k.name, async () => {
      const key = JSON.stringify(k.setting);
      if (!pipelines.has(key)) pipelines.set(key, pipelineFor(authority.trustList(), k.setting, join(dir, `${pipelines.size}.db`)));
      const r = await pipelines.get(key)!(k.text, { nowSec: NOW, reliable: true });
      expect(r.reasons).toEqual([...k.reasons, 'STATUS_LIST_STALE']);
      expect(r.verdict).toBe(k.reasons.some((x) => !['CHECK_ID', 'PAPER_REQUIRED', 'INSPECTION_OVERDUE'].includes(x)) ? 'reject' : 'warn');
    });
  }

  it('adds CLOCK_UNRELIABLE when the clock cannot be vouched for', () => {
    const r = checkerFor(authority.trustList(), { profile: 'roadside', region: '110105' }).check(authority.code({ type: 'DL', now: NOW }).text, {
      nowSec: NOW,
      reliable: false,
    });
    expect(r.reasons).toEqual(['STATUS_LIST_STALE', 'CLOCK_UNRELIABLE']);
  });

  it('spec 1.2: a held trust list past its expires keeps serving, but every scan carries TRUST_STALE (warn)', () => {
    const root = generateRoot(3, 2);
    const list = authority.trustList(2, { root, expires: new Date((NOW + 60) * 1000).toISOString().replace('.000Z', 'Z') });
    const check = (nowSec: number) =>
      checkerFor(list, { profile: 'roadside', region: '110105' }).check(authority.code({ type: 'DL', now: nowSec }).text, { nowSec, reliable: true });
    expect(check(NOW + 59).reasons).toEqual(['STATUS_LIST_STALE']);
    // The instant `expires` names is the first at which the list is stale.
    const past = check(NOW + 60);
    expect(past.reasons).toEqual(['STATUS_LIST_STALE', 'TRUST_STALE']);
    expect(past.verdict).toBe('warn');
    expect(past.fields).not.toEqual({});
    // Held from before 1.2, without expires: counts as past it.
    const bare = checkerFor(authority.trustList(2, { root, expires: null }), { profile: 'roadside', region: '110105' });
    expect(bare.check(authority.code({ type: 'DL', now: NOW }).text, { nowSec: NOW, reliable: true }).reasons).toEqual(['STATUS_LIST_STALE', 'TRUST_STALE']);
    // A version-1 list (no root) is configuration, not a signed document: it never goes stale.
    expect(
      checkerFor(authority.trustList(1), { profile: 'roadside', region: '110105' }).check(authority.code({ type: 'DL', now: NOW }).text, { nowSec: NOW, reliable: true })
        .reasons,
    ).toEqual(['STATUS_LIST_STALE']);
    // A reject stays a reject: TRUST_STALE only adds its warning.
    expect(check(NOW + 60 + 86400 * 365 * 20).verdict).toBe('reject');
  });

  it('never shows the fields of a forged code', () => {
    const r = checkerFor(authority.trustList(), { profile: 'roadside', region: '110105' }).check(
      authority.code({ type: 'DL', now: NOW, flaw: 'issuer-signature' }).text,
      { nowSec: NOW, reliable: true },
    );
    expect(r.fields).toEqual({});
  });

  it('strips terminal escapes from a validly signed name', () => {
    const r = checkerFor(authority.trustList(), { profile: 'roadside', region: '110105' }).check(
      authority.code({ type: 'DL', now: NOW, dat: { nam: '\u001b[2J\u001b]0;pwned\u0007张三丰' } }).text,
      { nowSec: NOW, reliable: true },
    );
    expect(r.verdict).toBe('warn');
    expect(JSON.stringify(r.fields)).not.toMatch(/[\u0000-\u001f\u007f-\u009f]/);
    expect(r.fields.name).toMatch(/^\[/);
  });
});

describe('ScanChecker: the spec vectors', () => {
  for (const v of vectors.vectors) {
    it(`${v.name}: ${v.expect.verdict} ${v.expect.reasons.join(',')}`, async () => {
      const r = await pipelineFor(vectors.trust, v, join(dir, `v-${v.name}.db`))(v.qr, { nowSec: Date.parse(v.now) / 1000, reliable: true });
      // No list was synced: STATUS_LIST_STALE follows, and turns an accept into a warn.
      expect(r.reasons).toEqual([...v.expect.reasons, 'STATUS_LIST_STALE']);
      expect(r.verdict).toBe(v.expect.verdict === 'accept' ? 'warn' : v.expect.verdict);
    });
  }
});
