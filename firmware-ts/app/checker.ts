/**
 * Builds the `ScanChecker` from the runtime: the rules of the place from the configuration,
 * the rules data (region adoption, working-day calendar, the policy with its numbers and profile
 * table), the trust list in force and the status list. The same checker for `verify`, `decode-image`, `run` and the demo.
 * @module
 */
import type { RegionAdoption } from '../policy/region-adoption.js';
import type { WorkingDayCalendar } from '../policy/working-day-calendar.js';
import type { Config } from '../config/schema.js';
import { ScanChecker, type ScanCheckerOptions } from '../scan/scan-checker.js';
import { NEVER_SYNCED, type StatusSource } from '../status/list/index.js';
import type { TrustList } from '../verify/trust-list.js';
import { heldRules, heldTrust, type HeldDocument } from './held-documents.js';
import { rulesInForceFor, syncedRulesRows, type RulesInForce } from './rules.js';
import { policyInForce } from './policy-in-force.js';
import type { RulesPolicy } from '../policy/rules-policy.js';
import type { Runtime } from './runtime.js';
import { SetupError } from './setup-error.js';

/** The rules data in force (app/rules.ts): the configured or shipped files, or a newer synced document. */
export interface RulesData {
  adoption: RegionAdoption;
  calendar: WorkingDayCalendar;
  /** The `policy` rules data in force (before the configuration tightens it). */
  policy: RulesPolicy;
  /** Versions and sources of each, for status, health and the next-year check. */
  inForce: RulesInForce;
  /** The synced rules documents in force, with their `expires` (spec 1.2). */
  held: HeldDocument[];
}

export function loadRulesData(rt: Runtime, warn?: (msg: string) => void): RulesData {
  const inForce = rulesInForceFor(rt, warn);
  return {
    adoption: inForce.adoption.adoption,
    calendar: inForce.calendar.calendar,
    policy: inForce.policy.policy,
    inForce,
    held: heldRules(inForce.source, syncedRulesRows(rt)),
  };
}

/** Every signed document held: the trust list (with a root) and the synced rules data. */
export function heldDocuments(trust: TrustList, rules: Pick<RulesData, 'held'>): HeldDocument[] {
  return [...heldTrust(trust), ...rules.held];
}

/** The checker's options for a configuration: the one mapping from configuration to rules. */
export function checkerOptions(
  config: Config,
  trust: TrustList,
  status: StatusSource,
  rules: Pick<RulesData, 'adoption' | 'calendar'> & { policy: RulesPolicy } & Partial<Pick<RulesData, 'held'>>,
): ScanCheckerOptions {
  return {
    trust,
    status,
    signed: heldDocuments(trust, { held: rules.held ?? [] }),
    rules: {
      profile: config.profile,
      region: config.region,
      station: config.station.code,
      stationName: config.station.name,
      faceRecognition: config.station.faceRecognition,
      adoption: rules.adoption,
      calendar: rules.calendar,
      policy: policyInForce(config, rules.policy),
    },
  };
}

export function buildChecker(rt: Runtime, trust: TrustList, status: StatusSource = NEVER_SYNCED, rules: RulesData = loadRulesData(rt)): ScanChecker {
  const { config } = rt;
  if (config.profile === 'gate' && !config.station.code) throw new SetupError('the gate profile needs a station: --station CODE or station.code');
  return new ScanChecker(checkerOptions(config, trust, status, rules));
}
