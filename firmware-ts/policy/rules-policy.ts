/**
 * The `policy` rules data (docs/STATUS-LIST.md "Signed documents", docs/CREDENTIALS.md
 * section 6): the numbers of the rules and the profile table, which the authority changes by a
 * signed document instead of a software release. This module holds the shape and the pure
 * reading of it; the values themselves (the shipped defaults, version 0) live in
 * config/policy.json and reach the checker as an input, like the calendar.
 *
 * Every number has a floor and a ceiling, and for every one of them smaller is stricter (a
 * shorter window, fewer working days, a shorter list age), so "the stricter holds" is a minimum.
 * @module
 */
import type { CredentialType } from '../codec/claims.js';
import type { ReasonCode } from '../core/reasons.js';
import type { Profile } from '../config/schema.js';

export type { Profile };
export const PROFILES: readonly Profile[] = ['roadside', 'window', 'gate'];

/** What a profile does with a type: accept it, refuse it, or accept it with a warn. */
export const PROFILE_ENTRIES = ['ok', 'NOT_APPLICABLE', 'PAPER_REQUIRED', 'CHECK_ID'] as const;
export type ProfileEntry = (typeof PROFILE_ENTRIES)[number];

/** The numbers, by their path in the document, with the bounds the spec gives each. */
export const POLICY_NUMBER_BOUNDS = {
  'presentation.windowSec': { min: 10, max: 600 },
  'presentation.skewSec': { min: 0, max: 120 },
  'authorization.maxWorkingDays': { min: 1, max: 30 },
  'boarding.beforeDepMin': { min: 0, max: 1440 },
  'boarding.afterDepMin': { min: 0, max: 1440 },
  'voucher.days': { min: 0, max: 366 },
  'statusList.maxAgeHours': { min: 1, max: 720 },
} as const;
export type PolicyNumber = keyof typeof POLICY_NUMBER_BOUNDS;
export const POLICY_NUMBERS = Object.keys(POLICY_NUMBER_BOUNDS) as PolicyNumber[];

export type PolicyNumbers = Readonly<Record<PolicyNumber, number>>;

export interface RulesPolicy {
  /** 0 for the shipped defaults; a signed document's own version otherwise. */
  version: number;
  /** The document's `expires` (ISO-8601), null for the shipped defaults. */
  expires: string | null;
  numbers: PolicyNumbers;
  profiles: Readonly<Record<Profile, Readonly<Record<CredentialType, ProfileEntry>>>>;
  /** Warn codes that reject instead. */
  escalate: ReadonlySet<ReasonCode>;
}

/** The profile entry of a type: what the table says this place does with it. */
export function profileEntry(policy: Pick<RulesPolicy, 'profiles'>, profile: Profile, type: CredentialType): ProfileEntry {
  return policy.profiles[profile][type];
}

/** Whether a type has any use in a profile (else NOT_APPLICABLE). */
export function isServed(policy: Pick<RulesPolicy, 'profiles'>, profile: Profile, type: CredentialType): boolean {
  return profileEntry(policy, profile, type) !== 'NOT_APPLICABLE';
}

/** The device's own numbers (its configuration); null or absent: the policy's. */
export type LocalNumbers = Partial<Record<PolicyNumber, number | null>>;

/** A configured number the policy does not let apply, because it is laxer. */
export interface LaxerNumber {
  number: PolicyNumber;
  configured: number;
  policy: number;
}

/** The policy in force on this device: the document, and its numbers after the local ones. */
export interface PolicyInForce {
  policy: RulesPolicy;
  /** Per number, the stricter of the policy's and the configuration's. */
  numbers: PolicyNumbers;
  /** The numbers the local configuration makes stricter than the policy. */
  tightened: PolicyNumber[];
  /** Configured numbers laxer than the policy: they do not apply. */
  laxer: LaxerNumber[];
}

/** The stricter holds, per number (docs/STATUS-LIST.md: the configuration may tighten, never loosen). */
export function withLocalNumbers(policy: RulesPolicy, local: LocalNumbers): PolicyInForce {
  const numbers = { ...policy.numbers } as Record<PolicyNumber, number>;
  const tightened: PolicyNumber[] = [];
  const laxer: LaxerNumber[] = [];
  for (const n of POLICY_NUMBERS) {
    const configured = local[n];
    if (configured === null || configured === undefined) continue;
    if (configured < policy.numbers[n]) {
      numbers[n] = configured;
      tightened.push(n);
    } else if (configured > policy.numbers[n]) {
      laxer.push({ number: n, configured, policy: policy.numbers[n] });
    }
  }
  return { policy, numbers, tightened, laxer };
}

/** A reject always wins over a warn, and an escalated warn rejects (docs/STATUS-LIST.md, `escalate`). */
export function isEscalated(policy: Pick<RulesPolicy, 'escalate'>, reasons: readonly ReasonCode[]): boolean {
  if (policy.escalate.size === 0) return false;
  return reasons.some((r) => policy.escalate.has(r));
}
