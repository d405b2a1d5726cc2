/**
 * The parser of the `policy` rules data (docs/STATUS-LIST.md "Signed documents"), through the one
 * input-check helper like the calendar and the adoption table: every number within its floor
 * and ceiling, every profile and every type present with one of the four entries, `escalate`
 * only warn codes. A document that breaks any of it cannot serve, whoever signed it. The shipped
 * defaults (config/policy.json) are version 0 and carry no `expires`; whether a signed one must
 * carry it, and what its passing means, is the one expiry rule of signed documents, not this
 * parser's.
 * @module
 */
import { CREDENTIAL_TYPES, type CredentialType } from '../codec/claims.js';
import { arrayOf, at, integer, object, optional, string } from '../core/input-check.js';
import { isWarnCode, REASON_CODES, type ReasonCode } from '../core/reasons.js';
import {
  POLICY_NUMBER_BOUNDS,
  POLICY_NUMBERS,
  PROFILE_ENTRIES,
  PROFILES,
  type PolicyNumber,
  type Profile,
  type ProfileEntry,
  type RulesPolicy,
} from '../policy/rules-policy.js';
import { parseIsoInstant } from '../verify/trust-list.js';

const ENTRY_SET: ReadonlySet<string> = new Set(PROFILE_ENTRIES);
const REASON_SET: ReadonlySet<string> = new Set(REASON_CODES);

function numberAt(o: Record<string, unknown>, name: PolicyNumber): number {
  const [section, key] = name.split('.') as [string, string];
  const { min, max } = POLICY_NUMBER_BOUNDS[name];
  return integer(object(o[section], section)[key], name, min, max);
}

function entry(v: unknown, path: string): ProfileEntry {
  return string(v, path, 16, { test: (s) => ENTRY_SET.has(s), problem: `not one of ${PROFILE_ENTRIES.join(', ')}` }) as ProfileEntry;
}

function warnCode(v: unknown, path: string): ReasonCode {
  return string(v, path, 32, { test: (s) => REASON_SET.has(s) && isWarnCode(s as ReasonCode), problem: 'not a warn code' }) as ReasonCode;
}

/** The shape of `policy`, checked; other keys are ignored. Throws InputCheckError. */
export function policyShape(json: unknown): RulesPolicy {
  const o = object(json, '');
  const version = integer(o.version, 'version', 0, Number.MAX_SAFE_INTEGER, 'not a whole number');
  const expires = optional(o.expires, 'expires', (v, p) =>
    string(v, p, 40, { test: (s) => parseIsoInstant(s) !== null, problem: 'not an ISO-8601 instant (YYYY-MM-DDTHH:MM:SSZ or with an offset)' }),
  );
  const numbers = Object.fromEntries(POLICY_NUMBERS.map((n) => [n, numberAt(o, n)])) as Record<PolicyNumber, number>;
  const given = object(o.profiles, 'profiles');
  const profiles = Object.create(null) as Record<Profile, Record<CredentialType, ProfileEntry>>;
  for (const profile of PROFILES) {
    const path = at('profiles', profile);
    const row = object(given[profile], path);
    profiles[profile] = Object.fromEntries(CREDENTIAL_TYPES.map((t) => [t, entry(row[t], at(path, t))])) as Record<CredentialType, ProfileEntry>;
  }
  // Absent: nothing escalated (the default).
  const escalate = new Set(optional(o.escalate, 'escalate', (v, p) => arrayOf(v, p, REASON_CODES.length, warnCode)) ?? []);
  return { version, expires: expires ?? null, numbers, profiles, escalate };
}
