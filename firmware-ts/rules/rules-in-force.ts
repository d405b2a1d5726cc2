/**
 * Which rules data a scanner uses (docs/STATUS-LIST.md "Signed documents"): the one shipped in
 * config/ or named by the configuration, unless sync has accepted a signed document of the same
 * name with a higher version. One rule, used by every command and the service alike.
 * @module
 */
import type { AdoptionRules, CalendarRules, RulesName } from './rules-data.js';

export interface RulesInForce {
  calendar: CalendarRules;
  adoption: AdoptionRules;
  /** Where each came from. */
  source: Record<RulesName, 'configured' | 'synced'>;
}

export function rulesInForce(
  configured: { calendar: CalendarRules; adoption: AdoptionRules },
  synced: { calendar: CalendarRules | null; adoption: AdoptionRules | null },
): RulesInForce {
  const calendar = synced.calendar && synced.calendar.version > configured.calendar.version ? synced.calendar : configured.calendar;
  const adoption = synced.adoption && synced.adoption.version > configured.adoption.version ? synced.adoption : configured.adoption;
  return {
    calendar,
    adoption,
    source: {
      'calendar-cn': calendar === configured.calendar ? 'configured' : 'synced',
      adoption: adoption === configured.adoption ? 'configured' : 'synced',
    },
  };
}

/** The versions held, as `status --json` prints them. */
export function rulesVersions(r: RulesInForce): Record<RulesName, number> {
  return { 'calendar-cn': r.calendar.version, adoption: r.adoption.version };
}
