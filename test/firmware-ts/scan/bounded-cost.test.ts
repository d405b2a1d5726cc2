/**
 * Properties of the 1.1 span rule and of bounded work (issue 16), over decodable hostile codes:
 * no VA/VD whose span exceeds the rule is ever accepted (against an independent, naive count of
 * the calendar data), no check throws, no check classifies more than 31 dates, and a code that
 * cannot matter (type not applicable, unknown issuer, forged signature) classifies none.
 */
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { shippedChecker } from '../../../firmware-ts/app/shipped-checker.js';
import { CREDENTIAL_TYPES } from '../../../firmware-ts/codec/claims.js';
import type { Profile } from '../../../firmware-ts/config/schema.js';
import { packagedConfigFile } from '../../../firmware-ts/paths.js';
import { isServed } from '../../../firmware-ts/policy/rules-policy.js';
import { shippedPolicy } from '../../../firmware-ts/app/shipped-checker.js';
import { WorkingDayCalendar, type DayKind } from '../../../firmware-ts/policy/working-day-calendar.js';
import type { ScanChecker } from '../../../firmware-ts/scan/scan-checker.js';
import { datAtCaps, EXTREME_INSTANTS, hostileCode, type HostileIssuer } from '../../../sim/authority/hostile-codes.js';
import { sampleDat } from '../../../sim/authority/credentials.js';
import { TestAuthority } from '../../../sim/authority/test-authority.js';

const data = JSON.parse(readFileSync(packagedConfigFile('calendar-cn.json'), 'utf8'));
const authority = TestAuthority.create();
const DAY = 86400;
const NOW = Date.parse('2026-11-20T10:00:00+08:00') / 1000;

/** A calendar that counts how many dates a check classifies. */
class CountingCalendar extends WorkingDayCalendar {
  classified = 0;
  override dayKind(dayNumber: number): DayKind {
    this.classified++;
    return super.dayKind(dayNumber);
  }
}

function checkerWith(profile: Profile, calendar: WorkingDayCalendar): ScanChecker {
  return shippedChecker({ trust: authority.trustList(), profile, region: '110105', station: 'S110105001', calendar });
}

/**
 * The spec's count, naively: every CST date from date(nbf) to date(exp - 1) through `Date`,
 * the data's lists for its years, fixed holidays for the others. Null past 31 dates or year 9999.
 */
function naiveWorkingDays(nbf: number, exp: number): number | null {
  const dateOf = (sec: number) => new Date((sec + 8 * 3600) * 1000).toISOString().slice(0, 10);
  const first = dateOf(nbf);
  const last = dateOf(exp - 1);
  if (!/^\d{4}-/.test(last)) return null;
  let n = 0;
  let dates = 0;
  for (let t = Date.parse(`${first}T00:00:00Z`); new Date(t).toISOString().slice(0, 10) <= last; t += DAY * 1000) {
    if (++dates > 31) return null;
    const date = new Date(t).toISOString().slice(0, 10);
    const weekday = new Date(t).getUTCDay();
    const held = data.years.includes(Number(date.slice(0, 4)));
    const working = held
      ? data.workdays.includes(date) || (!data.holidays.includes(date) && weekday !== 0 && weekday !== 6)
      : weekday !== 0 && weekday !== 6 && !data.statutoryFixed.includes(date.slice(5));
    if (working) n++;
  }
  return n;
}

const instant = fc.oneof(
  fc.integer({ min: Date.UTC(2019, 0, 1) / 1000, max: Date.UTC(2028, 0, 1) / 1000 }),
  fc.integer({ min: 0, max: 253402300799 }),
  fc.constantFrom(...EXTREME_INSTANTS.filter((v): v is number => typeof v === 'number')),
);
const duration = fc.oneof(fc.integer({ min: 1, max: 45 * DAY }), fc.integer({ min: 1, max: 2 ** 40 }));

describe('the span rule over any instants (trusted issuer)', () => {
  it('no VA or VD whose span exceeds 7 working days (or 31 dates, or year 9999) is ever accepted', () => {
    const calendar = WorkingDayCalendar.fromJson(data);
    const window = checkerWith('window', calendar);
    fc.assert(
      fc.property(fc.constantFrom('VA' as const, 'VD' as const), instant, duration, (type, nbf, d) => {
        const exp = nbf + d;
        const text = hostileCode(authority, nbf + 1, { type, issuer: 'trusted', nbf, exp, dat: sampleDat(type, nbf), label: '' }).text;
        // Checked inside its own span so that only the span rule can refuse it.
        const r = window.check(text, { nowSec: Math.min(nbf + 1, exp - 1), reliable: true });
        const n = exp > 253402300799 ? null : naiveWorkingDays(nbf, exp);
        if (n === null || n > 7) {
          expect(r.verdict).toBe('reject');
          // An iat outside the key's window refuses it already; the rule is then only bounded, not counted.
          if (!r.reasons.includes('ISSUER_NOT_AUTHORIZED') || n === null) expect(r.reasons).toContain('AUTHORIZATION_TOO_LONG');
        } else {
          expect(r.reasons).not.toContain('AUTHORIZATION_TOO_LONG');
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe('bounded work on decodable hostile codes', () => {
  it('no check throws or classifies more than 31 dates; codes that cannot matter classify none', () => {
    const calendar = new CountingCalendar(data);
    const checkers = new Map((['roadside', 'window', 'gate'] as const).map((p) => [p, checkerWith(p, calendar)]));
    const anyInstant = fc.oneof(instant, fc.constant(2n ** 64n - 1n));
    fc.assert(
      fc.property(
        fc.constantFrom(...CREDENTIAL_TYPES),
        fc.constantFrom<HostileIssuer>('trusted', 'unknown', 'forged'),
        fc.constantFrom('roadside' as const, 'window' as const, 'gate' as const),
        anyInstant,
        anyInstant,
        fc.constantFrom('sample', 'ascii', 'mixed'),
        (type, issuer, profile, a, b, caps) => {
          const [nbf, exp] = BigInt(a) < BigInt(b) ? [a, b] : BigInt(a) > BigInt(b) ? [b, a] : [a, BigInt(a) + 1n];
          const dat = caps === 'sample' ? sampleDat(type, NOW) : datAtCaps(type, NOW, caps as 'ascii' | 'mixed');
          const text = hostileCode(authority, NOW, { type, issuer, nbf, exp, dat, label: '' }).text;
          calendar.classified = 0;
          const r = checkers.get(profile)!.check(text, { nowSec: NOW, reliable: true });
          expect(r.verdict).toBeDefined();
          expect(calendar.classified).toBeLessThanOrEqual(31);
          if (issuer !== 'trusted' || !isServed(shippedPolicy(), profile, type)) expect(calendar.classified).toBe(0);
        },
      ),
      { numRuns: 300 },
    );
  });
});
