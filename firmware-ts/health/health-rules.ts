/**
 * The rules data part of `/healthz`: each one's version and source, and from 1 November the
 * warning that next year's working-day schedule is still missing (docs/STATUS-LIST.md "Signed
 * documents"), so an authority late with the yearly calendar sees it fleet-wide before 1 January.
 * @module
 */
import type { CalendarCoverage } from '../rules/calendar-coverage.js';
import type { RulesInForce } from '../rules/rules-in-force.js';

export interface HealthRules {
  'calendar-cn': { version: number; source: 'configured' | 'synced'; years: number[] };
  adoption: { version: number; source: 'configured' | 'synced' };
  warnings: string[];
}

export function healthRules(r: RulesInForce, coverage: CalendarCoverage): HealthRules {
  const warnings = coverage.nextYearMissing
    ? [
        `calendar-cn version ${r.calendar.version} has no schedule for ${coverage.year + 1}: from 1 January working days there count fixed-date holidays only (CALENDAR_UNKNOWN)`,
      ]
    : [];
  return {
    'calendar-cn': { version: r.calendar.version, source: r.source['calendar-cn'], years: [...r.calendar.years] },
    adoption: { version: r.adoption.version, source: r.source.adoption },
    warnings,
  };
}
