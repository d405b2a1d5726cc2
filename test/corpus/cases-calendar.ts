/**
 * The 7-working-day limit of VA and VD across the moved weekends of the official 2026 calendar:
 * National Day (Oct 1-7 off, Sunday Sep 20 and Saturday Oct 10 worked) and Spring Festival
 * (Feb 15-23 off, Saturdays Feb 14 and Feb 28 worked). Each pair sits at exactly 7 and at 8, and
 * several spans count differently under a plain Monday-Friday rule, so a calendar-blind count fails.
 * Dates are CST (UTC+8); the span ends on the date of the last valid second, `exp - 1` (spec 1.1):
 * an authorisation valid to midnight does not spend the next day.
 * @module
 */
import { EXP, IAT, NBF, at, type Claims } from './claims.js';
import { Setting } from './corpus-setting.js';
import type { IssuerKit } from './issuer-kit.js';
import type { Reason } from './expectations.js';

type Span = [from: string, to: string, reasons: Reason[], why: string];

function addSpans(s: Setting, kit: IssuerKit, spans: Span[]): void {
  const now = s.nowSec;
  for (const [from, to, reasons, why] of spans) {
    for (const typ of ['VA', 'VD'] as const) {
      const c: Claims = kit.claims(typ, now);
      c.set(IAT, at(from));
      c.set(NBF, at(from));
      c.set(EXP, at(to));
      const text = typ === 'VA' ? kit.live(c, { gen: now }) : kit.bare(c);
      s.expect(`${typ} ${from} .. ${to}: ${why}`, text, reasons, typ);
    }
  }
}

export function nationalDaySetting(kit: IssuerKit): Setting {
  const s = new Setting('window 110105 National Day', 'window', '110105', '2026-10-09T10:00:00+08:00');
  addSpans(s, kit, [
    ['2026-09-28T09:00:00+08:00', '2026-10-12T18:00:00+08:00', [], '7 (Sep 28-30, Oct 8-10, 12); Mon-Fri count: 11'],
    ['2026-09-28T09:00:00+08:00', '2026-10-13T18:00:00+08:00', ['AUTHORIZATION_TOO_LONG'], '8'],
    ['2026-10-08T09:00:00+08:00', '2026-10-15T18:00:00+08:00', [], '7 with working Saturday Oct 10'],
    ['2026-10-08T09:00:00+08:00', '2026-10-16T18:00:00+08:00', ['AUTHORIZATION_TOO_LONG'], '8 with Oct 10; Mon-Fri count: 7'],
    ['2026-09-28T07:00:00+08:00', '2026-10-13T07:00:00+08:00', ['AUTHORIZATION_TOO_LONG'], '8 in CST dates (UTC dates Sep 27-Oct 12 would give 7)'],
    ['2026-09-28T09:00:00+08:00', '2026-10-13T00:00:00+08:00', [], 'exp at 00:00 Oct 13: the last valid second is on Oct 12, 7 (1.1)'],
    ['2026-09-28T09:00:00+08:00', '2026-10-13T00:00:01+08:00', ['AUTHORIZATION_TOO_LONG'], 'exp at 00:00:01 Oct 13: Oct 13 counts, 8'],
    ['2026-10-09T09:00:00+08:00', '2026-10-09T18:00:00+08:00', [], 'one day'],
    ['2026-09-14T09:00:00+08:00', '2026-09-22T18:00:00+08:00', ['EXPIRED', 'AUTHORIZATION_TOO_LONG'], 'expired, 8 with working Sunday Sep 20; Mon-Fri count: 7'],
    ['2026-09-15T09:00:00+08:00', '2026-09-22T18:00:00+08:00', ['EXPIRED'], 'expired, 7 with Sunday Sep 20'],
  ]);
  return s;
}

export function springFestivalSetting(kit: IssuerKit): Setting {
  const s = new Setting('window 110105 Spring Festival', 'window', '110105', '2026-02-24T12:00:00+08:00');
  addSpans(s, kit, [
    ['2026-02-09T09:00:00+08:00', '2026-02-24T18:00:00+08:00', [], '7 (Feb 9-14, 24); Mon-Fri count: 12'],
    ['2026-02-09T09:00:00+08:00', '2026-02-25T18:00:00+08:00', ['AUTHORIZATION_TOO_LONG'], '8'],
    ['2026-02-24T09:00:00+08:00', '2026-03-03T18:00:00+08:00', [], '7 with working Saturday Feb 28'],
    ['2026-02-24T09:00:00+08:00', '2026-03-04T18:00:00+08:00', ['AUTHORIZATION_TOO_LONG'], '8 with Feb 28; Mon-Fri count: 7'],
    ['2026-02-12T09:00:00+08:00', '2026-02-24T18:00:00+08:00', [], '4 (Feb 12, 13, 14, 24)'],
  ]);
  return s;
}

/**
 * Across the year end: the 2027 calendar is not published yet. 7 calendar days can never hold 8
 * working days, and 9 in 2026 alone are too many however 2027 falls; in between, the operator is
 * told (CALENDAR_UNKNOWN) and the count uses 2027's fixed holidays only (1 January).
 */
export function yearEndSetting(kit: IssuerKit): Setting {
  const s = new Setting('window 110105 year end', 'window', '110105', '2026-12-31T10:00:00+08:00');
  addSpans(s, kit, [
    ['2026-12-30T09:00:00+08:00', '2027-01-05T18:00:00+08:00', [], '7 calendar days, whatever the 2027 calendar says'],
    ['2026-12-21T09:00:00+08:00', '2027-01-08T18:00:00+08:00', ['AUTHORIZATION_TOO_LONG'], '9 working days in 2026 alone'],
    ['2026-12-28T09:00:00+08:00', '2027-01-06T18:00:00+08:00', ['CALENDAR_UNKNOWN'], '4 in 2026 + Jan 4-6 (Jan 1 fixed): 7, but 2027 could hold up to 6'],
    ['2026-12-29T09:00:00+08:00', '2027-01-08T18:00:00+08:00', ['AUTHORIZATION_TOO_LONG', 'CALENDAR_UNKNOWN'], '3 in 2026 + Jan 4-8: 8, but 2027 could hold none'],
  ]);
  const now = s.nowSec;
  s.expect("DL live on New Year's Eve", kit.live(kit.claims('DL', now), { gen: now }), [], 'DL');
  return s;
}

/** A year the configured calendar does not cover: nothing that needs no count may break. */
export function year2027Setting(kit: IssuerKit): Setting {
  const s = new Setting('window 110105 2027', 'window', '110105', '2027-01-06T10:00:00+08:00');
  const now = s.nowSec;
  s.expect('DL live in 2027', kit.live(kit.claims('DL', now), { gen: now }), [], 'DL');
  s.expect('VR live in 2027', kit.live(kit.claims('VR', now), { gen: now }), [], 'VR');
  s.expect('TK at a window in 2027', kit.bare(kit.claims('TK', now)), ['CHECK_ID'], 'TK');
  addSpans(s, kit, [['2027-01-05T09:00:00+08:00', '2027-01-08T18:00:00+08:00', [], '4 calendar days']]);
  return s;
}
