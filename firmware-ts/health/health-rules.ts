/**
 * The rules data part of `/healthz`: each one's version and source (for the `policy` also its
 * `expires` and the configuration keys that tighten or would loosen it), and from 1 November the
 * warning that next year's working-day schedule is still missing (docs/STATUS-LIST.md "Signed
 * documents"), so an authority late with the yearly calendar sees it fleet-wide before 1 January.
 * @module
 */
import type { CalendarCoverage } from '../rules/calendar-coverage.js';
import type { RulesInForce } from '../rules/rules-in-force.js';

export interface HealthRules {
  'calendar-cn': { version: number; source: 'configured' | 'synced'; years: number[] };
  adoption: { version: number; source: 'configured' | 'synced' };
  policy: HealthPolicy;
  warnings: string[];
}

export interface HealthPolicy {
  version: number;
  source: 'configured' | 'synced';
  expires: string | null;
  /** Configuration keys that make a number of the policy stricter. */
  tightened: string[];
  /** Configuration keys laxer than the policy: they do not apply. */
  ignored: string[];
}

/** What the configuration does to the policy's numbers (app/policy-in-force.ts). */
export interface LocalTightening {
  tightened: string[];
  ignored: string[];
}

export function healthRules(r: RulesInForce, coverage: CalendarCoverage, local: LocalTightening = { tightened: [], ignored: [] }): HealthRules {
  const warnings = coverage.nextYearMissing
    ? [
        `calendar-cn version ${r.calendar.version} has no schedule for ${coverage.year + 1}: from 1 January working days there count fixed-date holidays only (CALENDAR_UNKNOWN)`,
      ]
    : [];
  return {
    'calendar-cn': { version: r.calendar.version, source: r.source['calendar-cn'], years: [...r.calendar.years] },
    adoption: { version: r.adoption.version, source: r.source.adoption },
    policy: { version: r.policy.version, source: r.source.policy, expires: r.policy.policy.expires, tightened: [...local.tightened], ignored: [...local.ignored] },
    warnings,
  };
}
