/**
 * Reading the rules data in force (docs/STATUS-LIST.md "Signed documents"): the configured or
 * shipped files, which must be valid (a bad one is a setup error), and the documents accepted
 * by sync, which were valid when accepted (one that no longer parses, damaged at rest, is
 * passed over with a warning and the configured one stays in force).
 * @module
 */
import { readFileSync, statSync } from 'node:fs';
import { MAX_RULES_BYTES, parseRulesData, RulesDataError, type AdoptionRules, type CalendarRules, type PolicyRules, type RulesName } from './rules-data.js';
import { rulesInForce, type RulesInForce } from './rules-in-force.js';

export class RulesFileError extends Error {
  override name = 'RulesFileError';
}

function readRulesFile(name: RulesName, file: string): unknown {
  try {
    if (statSync(file).size > MAX_RULES_BYTES) throw new RulesFileError(`${name} ${file}: larger than ${MAX_RULES_BYTES} bytes`);
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    if (err instanceof RulesFileError) throw err;
    const e = err as NodeJS.ErrnoException;
    throw new RulesFileError(`${name} ${file}: ${e.code ? `cannot read (${e.code})` : `not valid JSON (${e.message})`}`);
  }
}

/** The configured (or shipped) rules data; throws RulesFileError with one line. */
export function configuredRules(files: Record<RulesName, string>): { calendar: CalendarRules; adoption: AdoptionRules; policy: PolicyRules } {
  const parse = <N extends RulesName>(name: N) => {
    try {
      return parseRulesData(name as RulesName, readRulesFile(name, files[name]));
    } catch (err) {
      if (err instanceof RulesDataError) throw new RulesFileError(`${files[name]}: ${err.message}`);
      throw err;
    }
  };
  return { calendar: parse('calendar-cn') as CalendarRules, adoption: parse('adoption') as AdoptionRules, policy: parse('policy') as PolicyRules };
}

/** The rules data accepted by sync (store.rulesJson()); a row that does not parse is skipped with a warning. */
export function syncedRules(
  rows: ReadonlyMap<string, { version: number; json: unknown }>,
  warn: (msg: string) => void = () => undefined,
): { calendar: CalendarRules | null; adoption: AdoptionRules | null; policy: PolicyRules | null } {
  const parse = (name: RulesName) => {
    const row = rows.get(name);
    if (!row) return null;
    try {
      return parseRulesData(name, row.json);
    } catch (err) {
      warn(`synced rules ${name} version ${row.version} cannot be read (${(err as Error).message}); the configured one stays in force`);
      return null;
    }
  };
  return {
    calendar: parse('calendar-cn') as CalendarRules | null,
    adoption: parse('adoption') as AdoptionRules | null,
    policy: parse('policy') as PolicyRules | null,
  };
}

/** Configured rules, replaced by synced documents of higher version. */
export function loadRulesInForce(
  files: Record<RulesName, string>,
  synced: ReadonlyMap<string, { version: number; json: unknown }>,
  warn?: (msg: string) => void,
): RulesInForce {
  return rulesInForce(configuredRules(files), syncedRules(synced, warn));
}
