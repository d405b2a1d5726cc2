/**
 * Which rules data a scanner uses (docs/STATUS-LIST.md "Signed documents"): the one shipped in
 * config/ or named by the configuration, unless sync has accepted a signed document of the same
 * name with a higher version. One rule, used by every command and the service alike. The
 * `policy` has no configured file: its shipped defaults (version 0) hold until a signed one does.
 * @module
 */
import { configuredOrSynced } from '../core/configured-or-synced.js';
import type { AdoptionRules, CalendarRules, PolicyRules, RulesData, RulesName } from './rules-data.js';

export interface RulesInForce {
  calendar: CalendarRules;
  adoption: AdoptionRules;
  policy: PolicyRules;
  /** Where each came from. */
  source: Record<RulesName, 'configured' | 'synced'>;
}

type ByName = { calendar: CalendarRules; adoption: AdoptionRules; policy: PolicyRules };
type SyncedByName = { [K in keyof ByName]: ByName[K] | null };

/** core/configured-or-synced.ts, for a document that is always configured (or shipped). */
function higher<T extends RulesData>(configured: T, synced: T | null): T {
  return configuredOrSynced(configured, synced)!.doc;
}

export function rulesInForce(configured: ByName, synced: SyncedByName): RulesInForce {
  const calendar = higher(configured.calendar, synced.calendar);
  const adoption = higher(configured.adoption, synced.adoption);
  const policy = higher(configured.policy, synced.policy);
  const from = (inForce: RulesData, conf: RulesData) => (inForce === conf ? 'configured' : 'synced');
  return {
    calendar,
    adoption,
    policy,
    source: { 'calendar-cn': from(calendar, configured.calendar), adoption: from(adoption, configured.adoption), policy: from(policy, configured.policy) },
  };
}

/** The versions held, as `status --json` prints them. */
export function rulesVersions(r: RulesInForce): Record<RulesName, number> {
  return { 'calendar-cn': r.calendar.version, adoption: r.adoption.version, policy: r.policy.version };
}
