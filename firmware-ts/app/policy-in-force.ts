/**
 * The one mapping from the device's configuration to the numbers of the `policy` rules data
 * (docs/STATUS-LIST.md "Signed documents"): the configuration may make a number stricter than
 * the policy in force, never laxer. The checker, the list-age warnings of `status`, `doctor`,
 * the screen and the health endpoint, and `config check` all read the numbers from here, so they
 * never disagree about which window or list age counts.
 * @module
 */
import { existsSync, readFileSync } from 'node:fs';
import type { Config } from '../config/schema.js';
import { packagedConfigFile } from '../paths.js';
import { parseRulesData } from '../rules/rules-data.js';
import { configuredOrSynced } from '../core/configured-or-synced.js';
import { SignedStore } from '../signed-store/index.js';
import { openDatabase, type Db } from '../store/database.js';
import { withLocalNumbers, type LaxerNumber, type LocalNumbers, type PolicyInForce, type PolicyNumber, type RulesPolicy } from '../policy/rules-policy.js';

/** The configuration key that may tighten each number (none for the working days and the voucher days). */
export const CONFIG_KEY_OF: Readonly<Partial<Record<PolicyNumber, string>>> = {
  'presentation.windowSec': 'presentation.windowSec',
  'presentation.skewSec': 'presentation.skewSec',
  'boarding.beforeDepMin': 'station.boardBeforeMin',
  'boarding.afterDepMin': 'station.boardAfterMin',
  'statusList.maxAgeHours': 'statusList.maxAgeHours',
};

/** The device's own numbers, from its configuration (null: the policy's). */
export function localNumbers(config: Config): LocalNumbers {
  return {
    'presentation.windowSec': config.presentation.windowSec,
    'presentation.skewSec': config.presentation.skewSec,
    'boarding.beforeDepMin': config.station.boardBeforeMin,
    'boarding.afterDepMin': config.station.boardAfterMin,
    'statusList.maxAgeHours': config.statusList.maxAgeHours,
  };
}

/** The policy in force on this device: the policy's numbers, tightened by the configuration. */
export function policyInForce(config: Config, policy: RulesPolicy): PolicyInForce {
  return withLocalNumbers(policy, localNumbers(config));
}

/** The list age past which scans carry STATUS_LIST_STALE, seconds. */
export function statusMaxAgeSec(p: PolicyInForce): number {
  return p.numbers['statusList.maxAgeHours'] * 3600;
}

/** One line for a configured number that does not apply (`config check`, `doctor`). */
export function describeLaxer(l: LaxerNumber, version: number): string {
  const key = CONFIG_KEY_OF[l.number] ?? l.number;
  return `${key}: ${l.configured} is laxer than the policy in force (version ${version}: ${l.number} ${l.policy}) and does not apply; the policy's holds`;
}

/** What `status --json`, `/healthz` and `doctor` say of the policy in force. */
export interface PolicySummary {
  version: number;
  expires: string | null;
  source: 'configured' | 'synced';
  /** The numbers in force (after the configuration). */
  numbers: Record<PolicyNumber, number>;
  /** The configuration keys that make a number stricter than the policy. */
  tightened: string[];
  /** The configuration keys laxer than the policy (ignored). */
  ignored: string[];
}

export function policySummary(p: PolicyInForce, source: 'configured' | 'synced'): PolicySummary {
  return {
    version: p.policy.version,
    expires: p.policy.expires,
    source,
    numbers: { ...p.numbers },
    tightened: p.tightened.map((n) => CONFIG_KEY_OF[n] ?? n),
    ignored: p.laxer.map((l) => CONFIG_KEY_OF[l.number] ?? l.number),
  };
}

/**
 * The `policy` a device with this database holds, read without changing anything (`config
 * check` runs before a device is set up): the shipped defaults, or the synced document of a
 * higher version when the database exists and holds one that parses.
 */
export function heldPolicy(dbFile: string): RulesPolicy {
  const shipped = parseRulesData('policy', JSON.parse(readFileSync(packagedConfigFile('policy.json'), 'utf8'))).policy;
  if (!existsSync(dbFile)) return shipped;
  let db: Db | null = null;
  try {
    db = openDatabase(dbFile, { readonly: true });
    const row = new SignedStore(db).rules().get('policy');
    if (!row) return shipped;
    return configuredOrSynced(shipped, parseRulesData('policy', row.json).policy)!.doc;
  } catch {
    // No rules table yet, or a row damaged at rest: the shipped defaults are what would serve.
    return shipped;
  } finally {
    db?.close();
  }
}
