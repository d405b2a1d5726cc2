/**
 * A `ScanChecker` over the rules data shipped in config/ (adoption table, calendar, policy) and the
 * configuration schema's defaults: what the simulator, benchmarks and fuzzers check against.
 * Only the place of use (and, for a test, the calendar) may be overridden; every other default
 * comes from the schema.
 * @module
 */
import { readFileSync } from 'node:fs';
import { defaultConfig, type Profile } from '../config/schema.js';
import { packagedConfigFile } from '../paths.js';
import { RegionAdoption } from '../policy/region-adoption.js';
import { WorkingDayCalendar } from '../policy/working-day-calendar.js';
import { ScanChecker } from '../scan/scan-checker.js';
import { NEVER_SYNCED, type StatusSource } from '../status/list/index.js';
import { parseTrustList } from '../verify/trust-list.js';
import { checkerOptions } from './checker.js';
import { parseRulesData } from '../rules/rules-data.js';
import type { RulesPolicy } from '../policy/rules-policy.js';

export interface ShippedCheckerOptions {
  trust: unknown;
  profile?: Profile;
  region?: string;
  station?: string | null;
  status?: StatusSource;
  /** In place of the shipped calendar (a test counting the dates a check classifies). */
  calendar?: WorkingDayCalendar;
  /** In place of the shipped policy (a bench checking with a signed one in force). */
  policy?: RulesPolicy;
}

/** The policy shipped in config/policy.json (version 0, today's rules). */
export function shippedPolicy(): RulesPolicy {
  return parseRulesData('policy', JSON.parse(readFileSync(packagedConfigFile('policy.json'), 'utf8'))).policy;
}

export function shippedChecker(opts: ShippedCheckerOptions): ScanChecker {
  const read = (f: string) => JSON.parse(readFileSync(packagedConfigFile(f), 'utf8'));
  const d = defaultConfig();
  const config = {
    ...d,
    profile: opts.profile ?? d.profile,
    region: opts.region ?? d.region,
    station: { ...d.station, code: opts.station ?? d.station.code },
  };
  const rules = {
    adoption: RegionAdoption.fromJson(read('adoption.json')),
    calendar: opts.calendar ?? WorkingDayCalendar.fromJson(read('calendar-cn.json')),
    policy: opts.policy ?? shippedPolicy(),
  };
  return new ScanChecker(checkerOptions(config, parseTrustList(opts.trust), opts.status ?? NEVER_SYNCED, rules));
}
