/**
 * Known answers for every verdict rule that changed in spec 1.1 (docs/CREDENTIALS.md sections 3
 * and 7), made by the test authority: the span to the date of `exp - 1`, instants past year 9999,
 * unpublished years (CALENDAR_UNKNOWN only where they decide), never-valid claims, and bounded
 * checks of codes that cannot matter. Shared by the library and the `roadscan verify` tests.
 * @module
 */
import type { ReasonCode } from '../../firmware-ts/core/reasons.js';
import type { TestAuthority } from '../../sim/authority/test-authority.js';

export interface RulesCase {
  name: string;
  profile: 'roadside' | 'window';
  /** ISO instant to check at. */
  nowIso: string;
  text: string;
  /** Reasons before the trailing STATUS_LIST_STALE of a never-synced scanner. */
  reasons: ReasonCode[];
}

const sec = (iso: string) => Date.parse(iso) / 1000;

export function rulesCases(a: TestAuthority): RulesCase[] {
  const cases: RulesCase[] = [];
  const span = (name: string, type: 'VA' | 'VD', nowIso: string, nbfIso: string, exp: number, reasons: ReasonCode[]) => {
    const now = sec(nowIso);
    cases.push({ name: `${type} ${name}`, profile: 'window', nowIso, text: a.code({ type, now, iat: sec(nbfIso), nbf: sec(nbfIso), exp }).text, reasons });
  };
  const nov = '2026-11-20T10:00:00+08:00';
  const newYear = '2026-12-31T10:00:00+08:00';
  for (const type of ['VA', 'VD'] as const) {
    span('valid to midnight of its 7th working day passes', type, nov, '2026-11-16T09:00:00+08:00', sec('2026-11-25T00:00:00+08:00'), []);
    span('one second more spends an 8th day', type, nov, '2026-11-16T09:00:00+08:00', sec('2026-11-25T00:00:01+08:00'), ['AUTHORIZATION_TOO_LONG']);
    span('exp 2^40 is too long', type, nov, '2026-11-16T09:00:00+08:00', 2 ** 40, ['AUTHORIZATION_TOO_LONG']);
    span('exp 253402300800 is too long', type, nov, '2026-11-16T09:00:00+08:00', 253402300800, ['AUTHORIZATION_TOO_LONG']);
    span('exp 2^32 is too long', type, nov, '2026-11-16T09:00:00+08:00', 2 ** 32, ['AUTHORIZATION_TOO_LONG']);
    span('7 dates into unpublished 2027: settled', type, newYear, '2026-12-30T09:00:00+08:00', sec('2027-01-06T00:00:00+08:00'), []);
    span('9 working days of 2026 alone: settled too long', type, newYear, '2026-12-21T09:00:00+08:00', sec('2027-01-07T00:00:00+08:00'), ['AUTHORIZATION_TOO_LONG']);
    span('2027 decides, 7 with its fixed holidays', type, newYear, '2026-12-28T09:00:00+08:00', sec('2027-01-07T00:00:00+08:00'), ['CALENDAR_UNKNOWN']);
    span('2027 decides, 8 with its fixed holidays', type, newYear, '2026-12-29T09:00:00+08:00', sec('2027-01-09T00:00:00+08:00'), [
      'AUTHORIZATION_TOO_LONG',
      'CALENDAR_UNKNOWN',
    ]);
  }
  const now = sec(nov);
  const malformed = (name: string, text: string) => cases.push({ name, profile: 'window', nowIso: nov, text, reasons: ['MALFORMED'] });
  malformed('VA exp = nbf', a.code({ type: 'VA', now, nbf: now - 60, exp: now - 60 }).text);
  malformed('DL exp before nbf', a.code({ type: 'DL', now, nbf: now, exp: now - 10 }).text);
  malformed('TK iat after exp', a.code({ type: 'TK', now, iat: now, nbf: now - 7200, exp: now - 1 }).text);
  malformed('VD iat after exp, both in the far future', a.code({ type: 'VD', now, iat: 2 ** 41, nbf: 2 ** 40, exp: 2 ** 40 + 1 }).text);
  // Codes that cannot matter still get every cheap reason, without counting working days.
  cases.push({
    name: 'VD of an unknown issuer, nbf 0 to 9999, at the roadside',
    profile: 'roadside',
    nowIso: nov,
    text: a.code({ type: 'VD', now, nbf: 0, exp: sec('9999-12-30T00:00:00Z'), flaw: 'unknown-issuer' }).text,
    reasons: ['UNKNOWN_ISSUER', 'AUTHORIZATION_TOO_LONG', 'NOT_APPLICABLE'],
  });
  cases.push({
    name: 'VA of an unknown issuer over 10 working days',
    profile: 'roadside',
    nowIso: nov,
    text: a.code({
      type: 'VA',
      now,
      iat: sec('2026-11-16T09:00:00+08:00'),
      nbf: sec('2026-11-16T09:00:00+08:00'),
      exp: sec('2026-11-28T00:00:00+08:00'),
      flaw: 'unknown-issuer',
    }).text,
    reasons: ['UNKNOWN_ISSUER', 'PAPER_REQUIRED'],
  });
  return cases;
}
