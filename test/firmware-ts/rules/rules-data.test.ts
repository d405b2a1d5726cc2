/**
 * Rules data (docs/STATUS-LIST.md "Signed documents"): the shipped files are valid 1.1 rules
 * data of version 1, the parser hands the policy classes what they count with, and every
 * malformed file is refused naming the key.
 * @module
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { packagedConfigFile } from '../../../firmware-ts/paths.js';
import { calendarCoverage } from '../../../firmware-ts/rules/calendar-coverage.js';
import { authorizationSpan } from '../../../firmware-ts/policy/authorization-span.js';
import { parseRulesData, RulesDataError } from '../../../firmware-ts/rules/rules-data.js';
import { rulesInForce, rulesVersions } from '../../../firmware-ts/rules/rules-in-force.js';

const shippedPolicyJson = () => JSON.parse(readFileSync(packagedConfigFile('policy.json'), 'utf8')) as Record<string, unknown>;

const shipped = (f: string) => JSON.parse(readFileSync(packagedConfigFile(f), 'utf8'));

describe('the shipped rules data', () => {
  it('is version 1 of each, with the schedules through 2026', () => {
    const cal = parseRulesData('calendar-cn', shipped('calendar-cn.json'));
    expect(cal.version).toBe(1);
    expect(cal.years).toEqual([2020, 2021, 2022, 2023, 2024, 2025, 2026]);
    const sec = (iso: string) => Date.parse(iso) / 1000;
    expect(authorizationSpan(sec('2026-09-28T09:00:00+08:00'), sec('2026-10-13T00:00:00+08:00'), cal.calendar, 7).workingDays).toBe(7);
    const ad = parseRulesData('adoption', shipped('adoption.json'));
    expect(ad.version).toBe(1);
    expect(ad.adoption.isAdopted('VD', '440305', '2024-12-02')).toBe(true);
    expect(ad.adoption.isAdopted('TK', '310101', '2026-11-20')).toBe(false);
  });
});

describe('calendar-cn', () => {
  const cal = (over: Record<string, unknown> = {}) => ({
    version: 2,
    years: [2027],
    holidays: ['2027-02-08'],
    workdays: ['2027-02-06'],
    statutoryFixed: ['01-01'],
    ...over,
  });

  it('holidays are days off, workdays moved weekend days worked, other keys ignored', () => {
    const c = parseRulesData('calendar-cn', { ...cal(), about: 'x', future: [1] }).calendar;
    expect(c.isWorkingDay('2027-02-08')).toBe(false); // a Monday off
    expect(c.isWorkingDay('2027-02-06')).toBe(true); // a Saturday worked
    expect(c.isWorkingDay('2027-02-09')).toBe(true);
  });

  it.each<[string, Record<string, unknown>, RegExp]>([
    ['no version', { version: undefined }, /version/],
    ['version 0', { version: 0 }, /version: not a positive integer/],
    ['a bad holiday', { holidays: ['2027-02-30'] }, /holidays\.0: not a YYYY-MM-DD date/],
    ['a bad workday', { workdays: ['27-02-06'] }, /workdays\.0/],
    ['a bad fixed date', { statutoryFixed: ['13-01'] }, /statutoryFixed\.0: not an MM-DD date/],
    ['30 February fixed', { statutoryFixed: ['02-30'] }, /statutoryFixed\.0/],
    ['a year as text', { years: ['2027'] }, /years\.0/],
    ['no statutoryFixed', { statutoryFixed: undefined }, /statutoryFixed/],
    ['a day both off and worked', { holidays: ['2027-02-06'] }, /both as a holiday and as a worked day/],
    ['too many dates', { holidays: Array(20_001).fill('2027-01-01') }, /holidays/],
  ])('refuses %s', (_what, over, why) => {
    expect(() => parseRulesData('calendar-cn', cal(over))).toThrow(RulesDataError);
    expect(() => parseRulesData('calendar-cn', cal(over))).toThrow(why);
  });
});

describe('adoption', () => {
  const table = (types: Record<string, unknown>) => ({ version: 3, types });

  it('follows a type named by another, to the end of a chain, and ignores unknown types', () => {
    const a = parseRulesData('adoption', table({ VR: [{ region: '440000', from: '2027-01-01', note: 'x' }], VA: 'VR', VD: 'VA', XX: [] })).adoption;
    expect(a.isAdopted('VD', '440305', '2027-01-01')).toBe(true);
    expect(a.isAdopted('VD', '440305', '2026-12-31')).toBe(false);
    expect(a.isAdopted('DL', '440305', '2030-01-01')).toBe(false); // not named: accepted nowhere
  });

  it('takes the earliest from of any entry containing the district', () => {
    const a = parseRulesData(
      'adoption',
      table({
        DL: [
          { region: '*', from: '2027-06-01' },
          { region: '440300', from: '2027-02-01' },
          { region: '440305', from: '2027-03-01' },
        ],
      }),
    ).adoption;
    expect(a.adoptedFrom('DL', '440305')).toBe('2027-02-01');
    expect(a.adoptedFrom('DL', '110105')).toBe('2027-06-01');
  });

  it.each<[string, Record<string, unknown>, RegExp]>([
    ['a 5-digit region', { DL: [{ region: '11000', from: '2027-01-01' }] }, /types\.DL\.0\.region/],
    ['a bad from', { DL: [{ region: '110000', from: '2027-13-01' }] }, /types\.DL\.0\.from/],
    ['an alias to no type', { VA: 'XX' }, /follows "XX", which is no credential type/],
    ['an alias loop', { VA: 'VD', VD: 'VA' }, /loop/],
    ['a self alias', { VA: 'VA' }, /loop/],
    ['a number for a type', { DL: 5 }, /types\.DL/],
  ])('refuses %s', (_what, types, why) => {
    expect(() => parseRulesData('adoption', table(types))).toThrow(why);
  });

  it('refuses a table without types', () => {
    expect(() => parseRulesData('adoption', { version: 3 })).toThrow(/adoption: types/);
  });
});

describe('calendarCoverage (next year’s schedule, from 1 November CST)', () => {
  const at = (iso: string) => Date.parse(iso) / 1000;
  it.each([
    ['2026-10-31T15:59:59Z', [2026], false, '31 October 23:59:59 CST: not yet'],
    ['2026-10-31T16:00:00Z', [2026], true, '1 November 00:00 CST: missing'],
    ['2026-12-31T12:00:00Z', [2026, 2027], false, 'held'],
    ['2026-06-01T00:00:00Z', [2025], false, 'June: no warning even for a stale calendar'],
    ['2027-11-02T00:00:00Z', [2026, 2027], true, 'next November, 2028 missing'],
  ])('%s with %j: %s (%s)', (iso, years, missing) => {
    expect(calendarCoverage(years, at(iso)).nextYearMissing).toBe(missing);
  });
});

describe('rulesInForce (the higher version wins)', () => {
  const cal = (version: number) => parseRulesData('calendar-cn', { version, years: [], holidays: [], workdays: [], statutoryFixed: [] });
  const ad = (version: number) => parseRulesData('adoption', { version, types: {} });
  const pol = (version: number) => parseRulesData('policy', { ...shippedPolicyJson(), version });
  it('takes a synced document only when its version is above the configured one', () => {
    expect(rulesInForce({ calendar: cal(1), adoption: ad(1), policy: pol(0) }, { calendar: cal(2), adoption: null, policy: pol(1) }).source).toEqual({
      'calendar-cn': 'synced',
      adoption: 'configured',
      policy: 'synced',
    });
    expect(rulesInForce({ calendar: cal(3), adoption: ad(4), policy: pol(0) }, { calendar: cal(3), adoption: ad(2), policy: null }).source).toEqual({
      'calendar-cn': 'configured',
      adoption: 'configured',
      policy: 'configured',
    });
    expect(rulesVersions(rulesInForce({ calendar: cal(1), adoption: ad(1), policy: pol(0) }, { calendar: cal(5), adoption: ad(7), policy: pol(3) }))).toEqual({
      'calendar-cn': 5,
      adoption: 7,
      policy: 3,
    });
  });
});
