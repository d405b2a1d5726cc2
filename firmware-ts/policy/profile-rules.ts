/**
 * The rules of a place and use (docs/DESIGN.md, rules from the field; docs/CREDENTIALS.md
 * section 6): which types serve where, and what the operator must still check by hand. Every
 * number and every profile entry comes from the policy in force (the `policy` rules data,
 * policy/rules-policy.ts), which reaches here as an input like the calendar. Pure: everything
 * comes in as arguments.
 * @module
 */
import type { CheckTime } from '../core/time.js';
import type { Credential } from '../codec/claims.js';
import type { Profile } from '../config/schema.js';
import type { ReasonCode } from '../core/reasons.js';
import { authorizationSpan, spanBound } from './authorization-span.js';
import { cstDate, dayNumberOf } from '../core/cst.js';
import type { RegionAdoption } from './region-adoption.js';
import { isServed, profileEntry, type PolicyInForce } from './rules-policy.js';
import type { WorkingDayCalendar } from './working-day-calendar.js';

export interface PlaceRules {
  profile: Profile;
  region: string;
  station: string | null;
  /** The station's name from the configuration, shown beside its code (`fromName`). */
  stationName?: string | null;
  /** Gates with face recognition need no manual ID check (windows always check the ID). */
  faceRecognition: boolean;
  adoption: RegionAdoption;
  calendar: WorkingDayCalendar;
  /** The policy in force, its numbers already tightened by the configuration. */
  policy: PolicyInForce;
}

/**
 * Reasons from the credential's own dates, type, region and profile (not the status list).
 * With an unreliable clock (`time.nowSec` is then the floor, the earliest the real time can be),
 * only the checks that the real time can only make worse apply: "too late", never "too early".
 *
 * `issuerVouches` is false when no trusted issuer's signature covers the claims (unknown issuer,
 * bad signature): the verdict is then a reject whatever the calendar says, so the working-day
 * count is left out, as it is for a type that is NOT_APPLICABLE here. Every cheap reason stays,
 * the span bound included (too long past 31 dates or past year 9999, no counting).
 */
export function placeReasons(c: Credential, time: CheckTime, rules: PlaceRules, issuerVouches = true): ReasonCode[] {
  const reasons: ReasonCode[] = [];
  const nowSec = time.nowSec;
  const today = cstDate(nowSec);
  const d = c.dat;
  const policy = rules.policy;
  const served = isServed(policy.policy, rules.profile, c.typ);

  if (c.typ === 'DL') {
    if ((d.vto as string) < today) reasons.push('EXPIRED');
    if (time.reliable && (d.vfr as string) > today) reasons.push('NOT_YET_VALID');
  }
  if (c.typ === 'VA' || c.typ === 'VD') {
    if (issuerVouches && served) {
      const span = authorizationSpan(c.nbf, c.exp, rules.calendar, policy.numbers['authorization.maxWorkingDays']);
      if (span.tooLong) reasons.push('AUTHORIZATION_TOO_LONG');
      if (span.calendarUnknown) reasons.push('CALENDAR_UNKNOWN');
    } else if (spanBound(c.nbf, c.exp).kind !== 'countable') {
      reasons.push('AUTHORIZATION_TOO_LONG');
    }
  }
  if ((c.typ === 'VR' || c.typ === 'VD') && dayNumberOf(d.ivu as string) < dayNumberOf(today)) {
    reasons.push('INSPECTION_OVERDUE');
  }
  if (!rules.adoption.isAdopted(c.typ, rules.region, today)) reasons.push('NOT_ACCEPTED_IN_REGION');

  if (!served) {
    reasons.push('NOT_APPLICABLE');
    return reasons;
  }
  const entry = profileEntry(policy.policy, rules.profile, c.typ);
  // Face recognition stands in for the ID check at a gate only: a window swapping a voucher
  // always compares the ID used at purchase (docs/DESIGN.md, "Operator actions").
  if (entry !== 'ok' && !(entry === 'CHECK_ID' && rules.profile === 'gate' && rules.faceRecognition)) reasons.push(entry);
  if (c.typ === 'TK' && rules.profile === 'gate') {
    if (d.frm !== rules.station) reasons.push('WRONG_STATION');
    const dep = d.dep as number;
    const beforeSec = policy.numbers['boarding.beforeDepMin'] * 60;
    const afterSec = policy.numbers['boarding.afterDepMin'] * 60;
    if ((time.reliable && nowSec < dep - beforeSec) || nowSec > dep + afterSec) reasons.push('OUTSIDE_BOARDING_WINDOW');
  }
  return reasons;
}
