/**
 * The one rules-data rule every command and the service use (docs/STATUS-LIST.md "Signed
 * documents"): the configured files (`calendarFile`, `adoptionFile`), else the ones shipped in
 * config/, unless sync accepted a signed document of the same name with a higher version. So
 * `verify`, `decode-image`, `run`, `sync` and `status` never disagree about which calendar or
 * adoption table counts.
 * @module
 */
import { packagedConfigFile } from '../paths.js';
import { loadRulesInForce, RulesFileError } from '../rules/load-rules.js';
import type { RulesName } from '../rules/rules-data.js';
import { rulesVersions, type RulesInForce } from '../rules/rules-in-force.js';
import { SignedStore } from '../signed-store/index.js';
import { migrateStatusList } from '../status/list/index.js';
import type { Runtime } from './runtime.js';
import { SetupError } from './setup-error.js';

export type { RulesInForce };
export { rulesVersions };

/** The configured (or shipped) file of each rules name. */
export function rulesFiles(rt: Runtime): Record<RulesName, string> {
  const { config, loaded } = rt;
  const file = (configured: string | null, shipped: string) => (configured ? loaded.resolvePath(configured) : packagedConfigFile(shipped));
  return {
    'calendar-cn': file(config.calendarFile, 'calendar-cn.json'),
    adoption: file(config.adoptionFile, 'adoption.json'),
    policy: packagedConfigFile('policy.json'),
  };
}

/** The rules documents sync accepted, as kept in this runtime's database (signed-store/). */
export function syncedRulesRows(rt: Runtime): Map<string, { version: number; json: unknown }> {
  migrateStatusList(rt.db);
  return new SignedStore(rt.db).rules();
}

/** The rules data in force; a configured file that cannot be used is a SetupError. */
export function rulesInForceFor(rt: Runtime, warn?: (msg: string) => void): RulesInForce {
  try {
    return loadRulesInForce(rulesFiles(rt), syncedRulesRows(rt), warn);
  } catch (err) {
    if (err instanceof RulesFileError) throw new SetupError(err.message);
    throw err;
  }
}
