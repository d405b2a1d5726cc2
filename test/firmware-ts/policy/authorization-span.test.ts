import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PACKAGE_ROOT } from '../../../firmware-ts/paths.js';
import { authorizationSpan, spanBound } from '../../../firmware-ts/policy/authorization-span.js';
import { civilFromDays, cstDate, cstDateTime, daysFromCivil, LAST_DAY_NUMBER, weekdayOf } from '../../../firmware-ts/core/cst.js';
import { WorkingDayCalendar } from '../../../firmware-ts/policy/working-day-calendar.js';

const calendar = WorkingDayCalendar.fromJson(JSON.parse(readFileSync(join(PACKAGE_ROOT, 'config', 'calendar-cn.json'), 'utf8')));
const at = (iso: string) => Date.parse(iso) / 1000;
const MAX_INSTANT = 253402300799;

describe('the 7-working-day span of docs/CREDENTIALS.md section 3 (1.1)', () => {
  it.each([
    ['valid to midnight of its 7th working day', '2026-11-16T09:00:00+08:00', '2026-11-25T00:00:00+08:00', false, false, 7],
    ['one second past that midnight spends an 8th day', '2026-11-16T09:00:00+08:00', '2026-11-25T00:00:01+08:00', true, false, 8],
    ['Golden Week in full, to midnight after Oct 12', '2026-09-28T09:00:00+08:00', '2026-10-13T00:00:00+08:00', false, false, 7],
    ['an unpublished year that cannot decide: 5 dates of 2027', '2027-03-01T09:00:00+08:00', '2027-03-06T00:00:00+08:00', false, false, 5],
    ['an unpublished year that cannot decide: 14 held working days already', '2026-12-14T09:00:00+08:00', '2027-01-02T00:00:00+08:00', true, false, 14],
    ['an unpublished year that decides, within: Dec 28 to Jan 6', '2026-12-28T09:00:00+08:00', '2027-01-07T00:00:00+08:00', false, true, 7],
    ['an unpublished year that decides, too long: Dec 29 to Jan 8', '2026-12-29T09:00:00+08:00', '2027-01-09T00:00:00+08:00', true, true, 8],
    ['the last date of year 9999 is still a date', '9999-12-31T09:00:00+08:00', '9999-12-31T23:00:00+08:00', false, false, 1],
  ])('%s', (_why, nbf, exp, tooLong, calendarUnknown, workingDays) => {
    expect(authorizationSpan(at(nbf), at(exp), calendar, 7)).toEqual({ tooLong, calendarUnknown, workingDays });
  });

  it.each([
    ['exp 2^32 from a present-day nbf', at('2026-11-16T09:00:00+08:00'), 2 ** 32],
    ['exp 2^40 (held as the last instant of 9999)', at('2026-11-16T09:00:00+08:00'), MAX_INSTANT],
    ['exp 253402300800 (held as the last instant of 9999)', 253402300000, MAX_INSTANT],
    ['nbf 0, exp in 9999', 0, at('9999-12-31T00:00:00+08:00')],
    ['nbf and exp both past year 9999 in CST', at('9999-12-31T16:30:00Z'), MAX_INSTANT],
    ['32 dates', at('2026-11-16T09:00:00+08:00'), at('2026-12-18T00:00:00+08:00')],
  ])('%s is too long without counting', (_why, nbf, exp) => {
    expect(spanBound(nbf, exp).kind).not.toBe('countable');
    expect(authorizationSpan(nbf, exp, calendar, 7)).toEqual({ tooLong: true, calendarUnknown: false, workingDays: null });
  });

  it('31 dates are counted, 32 are not', () => {
    const nbf = at('2026-11-16T09:00:00+08:00');
    expect(spanBound(nbf, at('2026-12-17T00:00:00+08:00'))).toMatchObject({ kind: 'countable' });
    expect(spanBound(nbf, at('2026-12-17T00:00:01+08:00'))).toEqual({ kind: 'over-max-dates', dates: 32 });
  });

  it('any pair of instants: never throws, never counts more than 31 dates, too long past 31 dates', () => {
    const instant = fc.oneof(fc.integer({ min: 0, max: MAX_INSTANT }), fc.constantFrom(0, 2 ** 32, MAX_INSTANT, 253402272000));
    fc.assert(
      fc.property(instant, instant, (a, b) => {
        const [nbf, exp] = a < b ? [a, b] : [b, a + 1];
        const span = authorizationSpan(nbf, exp, calendar, 7);
        const bound = spanBound(nbf, exp);
        if (bound.kind !== 'countable') expect(span.tooLong).toBe(true);
        else expect(bound.lastDay - bound.firstDay).toBeLessThan(31);
        if (span.workingDays !== null) expect(span.workingDays).toBeLessThanOrEqual(31);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('integer CST day arithmetic', () => {
  it('agrees with Date for every day number from 0001 to 9999 sampled', () => {
    fc.assert(
      fc.property(fc.integer({ min: daysFromCivil(1, 1, 1), max: LAST_DAY_NUMBER }), (n) => {
        const d = new Date(n * 86400000);
        expect(civilFromDays(n)).toEqual({ year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() });
        expect(daysFromCivil(d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate())).toBe(n);
        expect(weekdayOf(n)).toBe(d.getUTCDay());
      }),
      { numRuns: 3000 },
    );
  });

  it('never prints a date past 9999-12-31', () => {
    expect(cstDate(MAX_INSTANT)).toBe('9999-12-31');
    expect(cstDate(2 ** 40)).toBe('9999-12-31');
    expect(cstDateTime(MAX_INSTANT)).toBe('9999-12-31 23:59');
    expect(cstDateTime(at('2026-11-16T09:05:00+08:00'))).toBe('2026-11-16 09:05');
    expect(cstDate(0)).toBe('1970-01-01');
  });
});
