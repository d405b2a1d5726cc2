import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PACKAGE_ROOT } from '../../../firmware-ts/paths.js';
import { RegionAdoption } from '../../../firmware-ts/policy/region-adoption.js';
import { WorkingDayCalendar } from '../../../firmware-ts/policy/working-day-calendar.js';
import { ScanChecker } from '../../../firmware-ts/scan/scan-checker.js';
import { NEVER_SYNCED } from '../../../firmware-ts/status/list/index.js';
import { openDatabase } from '../../../firmware-ts/store/database.js';
import { TicketBoardingStore } from '../../../firmware-ts/store/ticket-boarding-store.js';
import { parseTrustList } from '../../../firmware-ts/verify/trust-list.js';
import { TestAuthority } from '../../../sim/authority/test-authority.js';
import { NOW, reasonCases, type Setting } from '../../helpers/reason-cases.js';
import { vectors } from '../../helpers/vectors.js';

const dir = mkdtempSync(join(tmpdir(), 'roadscan-checker-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const json = (f: string) => JSON.parse(readFileSync(join(PACKAGE_ROOT, 'config', f), 'utf8'));
const adoption = RegionAdoption.fromJson(json('adoption.json'));
const calendar = WorkingDayCalendar.fromJson(json('calendar-cn.json'));

function checkerFor(trust: unknown, setting: Setting, dbFile: string) {
  const db = openDatabase(dbFile);
  return new ScanChecker({
    trust: parseTrustList(trust),
    status: NEVER_SYNCED,
    boarding: setting.profile === 'gate' ? new TicketBoardingStore(db) : null,
    rules: {
      profile: setting.profile, region: setting.region, station: setting.station ?? null, faceRecognition: false,
      boardBeforeSec: 3600, boardAfterSec: 600, adoption, calendar,
    },
    presentation: { skewSec: 30, windowSec: 180 },
    statusMaxAgeSec: 86400,
  });
}

describe('ScanChecker: every reason code without a status list', () => {
  const authority = TestAuthority.create();
  const checkers = new Map<string, ScanChecker>();
  for (const k of reasonCases(authority)) {
    it(k.name, () => {
      const key = JSON.stringify(k.setting);
      if (!checkers.has(key)) checkers.set(key, checkerFor(authority.trustList(), k.setting, join(dir, `${checkers.size}.db`)));
      const r = checkers.get(key)!.check(k.text, { nowSec: NOW, reliable: true });
      expect(r.reasons).toEqual([...k.reasons, 'STATUS_LIST_STALE']);
      expect(r.verdict).toBe(k.reasons.some((x) => !['CHECK_ID', 'PAPER_REQUIRED', 'INSPECTION_OVERDUE'].includes(x)) ? 'reject' : 'warn');
    });
  }

  it('adds CLOCK_UNRELIABLE when the clock cannot be vouched for', () => {
    const r = checkerFor(authority.trustList(), { profile: 'roadside', region: '110105' }, join(dir, 'clock.db')).check(
      authority.code({ type: 'DL', now: NOW }).text,
      { nowSec: NOW, reliable: false },
    );
    expect(r.reasons).toEqual(['STATUS_LIST_STALE', 'CLOCK_UNRELIABLE']);
  });

  it('never shows the fields of a forged code', () => {
    const r = checkerFor(authority.trustList(), { profile: 'roadside', region: '110105' }, join(dir, 'f.db')).check(
      authority.code({ type: 'DL', now: NOW, flaw: 'issuer-signature' }).text,
      { nowSec: NOW, reliable: true },
    );
    expect(r.fields).toEqual({});
  });

  it('strips terminal escapes from a validly signed name', () => {
    const r = checkerFor(authority.trustList(), { profile: 'roadside', region: '110105' }, join(dir, 'e.db')).check(
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
    it(`${v.name}: ${v.expect.verdict} ${v.expect.reasons.join(',')}`, () => {
      const r = checkerFor(vectors.trust, v, join(dir, `v-${v.name}.db`)).check(v.qr, { nowSec: Date.parse(v.now) / 1000, reliable: true });
      // No list was synced: STATUS_LIST_STALE follows, and turns an accept into a warn.
      expect(r.reasons).toEqual([...v.expect.reasons, 'STATUS_LIST_STALE']);
      expect(r.verdict).toBe(v.expect.verdict === 'accept' ? 'warn' : v.expect.verdict);
    });
  }
});
