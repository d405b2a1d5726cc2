import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PACKAGE_ROOT } from '../../../firmware-ts/paths.js';
import { authorizationSpan } from '../../../firmware-ts/policy/authorization-span.js';
import { cstDate, dayNumberOf } from '../../../firmware-ts/core/cst.js';
import { RegionAdoption } from '../../../firmware-ts/policy/region-adoption.js';
import { WorkingDayCalendar } from '../../../firmware-ts/policy/working-day-calendar.js';

const json = (f: string) => JSON.parse(readFileSync(join(PACKAGE_ROOT, 'config', f), 'utf8'));
const calendar = WorkingDayCalendar.fromJson(json('calendar-cn.json'));
const adoption = RegionAdoption.fromJson(json('adoption.json'));

/** CST instant of `date` at `hh:mm`. */
const at = (date: string, time = '09:00') => Date.parse(`${date}T${time}:00+08:00`) / 1000;
/** The span nbf = `from` 09:00 to exp = the midnight ending `to` (the last valid second is on `to`). */
const through = (from: string, to: string) => authorizationSpan(at(from), at(to, '00:00') + 86400, calendar, 7);

describe('WorkingDayCalendar (official calendar with moved weekends)', () => {
  it.each([
    ['2026-11-16', '2026-11-24', 7, 'an ordinary span: Mon to next Tue'],
    ['2026-09-28', '2026-10-12', 7, 'National Day: Sep 28-30, Oct 8-9, the worked Saturday Oct 10, Oct 12'],
    ['2026-09-19', '2026-09-21', 2, 'the worked Sunday Sep 20 counts'],
    ['2026-02-13', '2026-02-24', 3, 'Spring Festival: Feb 13, the worked Saturday Feb 14, Feb 24'],
    ['2026-10-01', '2026-10-07', 0, 'the whole Golden Week'],
    ['2024-11-04', '2024-11-04', 1, 'one day'],
    ['2026-12-28', '2027-01-06', 7, 'into 2027, whose schedule is not out: New Year Day is statutory'],
    ['2027-09-29', '2027-10-05', 4, 'National Day 2027: Sep 29-30 and Oct 4-5; Oct 1 (a Friday) is statutory'],
  ])('%s..%s holds %i working days (%s)', (from, to, n) => {
    expect(through(from, to).workingDays).toBe(n);
  });

  it('refuses a calendar file with a bad date, naming it', () => {
    expect(() => WorkingDayCalendar.fromJson({ years: [2026], holidays: ['2026-02-30'], workdays: [] })).toThrow(/holidays\.0/);
    expect(() => WorkingDayCalendar.fromJson({ years: [2026], holidays: [], workdays: [], statutoryFixed: ['13-01'] })).toThrow(/statutoryFixed\.0/);
  });

  it('reads the signed rules document (version, unknown keys) as well as the version-1 file', () => {
    const signed = WorkingDayCalendar.fromJson({ version: 3, years: [2026], holidays: ['2026-10-01'], workdays: [], statutoryFixed: ['01-01'], extra: 1 });
    expect(signed.version).toBe(3);
    expect(WorkingDayCalendar.fromJson({ about: 'a version-1 file', years: [2026], holidays: [], workdays: [] }).version).toBeNull();
    expect(signed.dayKind(dayNumberOf('2026-10-01'))).toBe('rest');
    expect(signed.dayKind(dayNumberOf('2027-01-01'))).toBe('unscheduled-rest');
    expect(signed.dayKind(dayNumberOf('2027-01-04'))).toBe('unscheduled-working');
    expect(() => WorkingDayCalendar.fromJson({ version: 0, years: [], holidays: [], workdays: [] })).toThrow(/version/);
  });
});

describe('RegionAdoption (from the seeds)', () => {
  it.each([
    ['DL', '120101', '2021-06-01', true, 'Tianjin pilot from June 2021'],
    ['DL', '510104', '2021-05-31', false, 'Chengdu before the pilot'],
    ['DL', '320506', '2021-06-01', true, 'a Suzhou district'],
    ['DL', '310101', '2021-10-01', false, 'Shanghai before nationwide roll-out'],
    ['DL', '310101', '2021-12-31', true, 'nationwide by the end of 2021'],
    ['VR', '110105', '2024-07-01', true, 'Beijing, registration pilot'],
    ['VR', '371102', '2024-12-01', false, 'Rizhao the day before 2024-12-02'],
    ['VR', '371102', '2024-12-02', true, 'Rizhao from 2024-12-02'],
    ['VA', '371102', '2024-12-01', false, 'authorisations follow the registration'],
    ['VD', '440305', '2024-12-02', true, 'downloads follow the registration'],
    ['TK', '130102', '2026-11-20', true, 'Hebei, ticket pilot province'],
    ['TK', '310101', '2026-11-20', false, 'Shanghai is no ticket pilot'],
  ] as const)('%s in %s on %s: %s (%s)', (type, region, date, adopted, _why) => {
    expect(adoption.isAdopted(type, region, date)).toBe(adopted);
  });

  it('dates are China Standard Time', () => {
    expect(cstDate(Date.parse('2024-12-01T16:00:00Z') / 1000)).toBe('2024-12-02');
    expect(cstDate(Date.parse('2024-12-01T15:59:59Z') / 1000)).toBe('2024-12-01');
  });
});
