/**
 * The rules data of docs/STATUS-LIST.md ("Signed documents"): `calendar-cn`, the working-day
 * calendar, `adoption`, where and since when each credential type is accepted, and `policy`,
 * the numbers and the profile table of the rules (rules/policy-data.ts). One parser
 * for every source (the files shipped in config/, a configured file, a document received by
 * sync), so a verdict never depends on where its rules came from. Each carries its own
 * positive integer `version`; other keys are ignored; sizes are bounded. The parser hands the
 * policy classes (WorkingDayCalendar, RegionAdoption) exactly the data they take, and leaves
 * the counting to them.
 * @module
 */
import { CREDENTIAL_TYPES, isIsoDate, type CredentialType } from '../codec/claims.js';
import { arrayOf, at, InputCheckError, integer, matching, object, positiveInteger, refuse, string } from '../core/input-check.js';
import { RegionAdoption } from '../policy/region-adoption.js';
import { WorkingDayCalendar } from '../policy/working-day-calendar.js';
import type { RulesPolicy } from '../policy/rules-policy.js';
import { policyShape } from './policy-data.js';

export const RULES_NAMES = ['calendar-cn', 'adoption', 'policy'] as const;
export type RulesName = (typeof RULES_NAMES)[number];

export function isRulesName(s: string): s is RulesName {
  return (RULES_NAMES as readonly string[]).includes(s);
}

/** A rules file larger than this is refused unread. */
export const MAX_RULES_BYTES = 1 << 20;
const MAX_DATES = 20_000;
const MAX_YEARS = 1_000;
const MAX_ENTRIES_PER_TYPE = 10_000;

export class RulesDataError extends Error {
  override name = 'RulesDataError';
}

const isoDate = (v: unknown, path: string) => string(v, path, 10, { test: isIsoDate, problem: 'not a YYYY-MM-DD date' });
/** MM-DD of a date that exists in some year (29 February included). */
const monthDay = (v: unknown, path: string) => string(v, path, 5, { test: (s) => /^\d{2}-\d{2}$/.test(s) && isIsoDate(`2024-${s}`), problem: 'not an MM-DD date' });

/** The shape of `calendar-cn`; other keys are ignored. */
function calendarShape(json: unknown) {
  const o = object(json, '');
  return {
    version: positiveInteger(o.version, 'version'),
    years: arrayOf(o.years, 'years', MAX_YEARS, (v, p) => integer(v, p, 1970, 9999)),
    holidays: arrayOf(o.holidays, 'holidays', MAX_DATES, isoDate),
    workdays: arrayOf(o.workdays, 'workdays', MAX_DATES, isoDate),
    statutoryFixed: arrayOf(o.statutoryFixed, 'statutoryFixed', 366, monthDay),
  };
}

type AdoptionEntry = { region: string; from: string };

/** The shape of `adoption`: each type's entries, or the name of the type it follows; other keys are ignored. */
function adoptionShape(json: unknown) {
  const o = object(json, '');
  const version = positiveInteger(o.version, 'version');
  const given = object(o.types, 'types');
  const types: Record<string, AdoptionEntry[] | string> = Object.create(null);
  for (const [name, value] of Object.entries(given)) {
    const path = at('types', name.slice(0, 16));
    if (name.length > 16) refuse(path, 'a type name longer than 16 characters');
    if (typeof value === 'string') {
      types[name] = string(value, path, 16);
      continue;
    }
    if (!Array.isArray(value)) refuse(path, `expected an array of entries or a type name, received ${value === null ? 'null' : typeof value}`);
    types[name] = arrayOf(value, path, MAX_ENTRIES_PER_TYPE, (v, p) => {
      const e = object(v, p);
      return { region: matching(e.region, at(p, 'region'), 6, /^(\*|\d{6})$/, 'not "*" or a 6-digit region code'), from: isoDate(e.from, at(p, 'from')) };
    });
  }
  return { version, types };
}

/** Runs a shape check; its one-line error becomes the document's, prefixed with its name. */
function checked<T>(name: RulesName, shape: (json: unknown) => T, json: unknown): T {
  try {
    return shape(json);
  } catch (err) {
    if (err instanceof InputCheckError) throw new RulesDataError(`${name}: ${err.message}`);
    throw err;
  }
}

export interface CalendarRules {
  name: 'calendar-cn';
  version: number;
  /** Years whose State Council schedule is held in full (for the next-year warning). */
  years: readonly number[];
  calendar: WorkingDayCalendar;
}

export interface AdoptionRules {
  name: 'adoption';
  version: number;
  adoption: RegionAdoption;
}

export interface PolicyRules {
  name: 'policy';
  version: number;
  policy: RulesPolicy;
}

export type RulesData = CalendarRules | AdoptionRules | PolicyRules;

function parseCalendar(json: unknown): CalendarRules {
  const r = checked('calendar-cn', calendarShape, json);
  const { years, holidays, workdays, statutoryFixed } = r;
  const off = new Set(holidays);
  const both = workdays.find((d) => off.has(d));
  if (both) throw new RulesDataError(`calendar-cn: ${both} is listed both as a holiday and as a worked day`);
  return {
    name: 'calendar-cn',
    version: r.version,
    years: [...new Set(years)].sort((a, b) => a - b),
    calendar: new WorkingDayCalendar({ years, holidays, workdays, statutoryFixed }),
  };
}

const TYPE_SET: ReadonlySet<string> = new Set(CREDENTIAL_TYPES);

function parseAdoption(json: unknown): AdoptionRules {
  const r = checked('adoption', adoptionShape, json);
  const types = r.types;
  const table = new Map<CredentialType, { region: string; from: string }[]>();
  for (const type of CREDENTIAL_TYPES) {
    // A type given as another type's name follows that type; a chain is followed to its end,
    // and one that loops or names no credential type is refused rather than guessed at.
    let value = types[type];
    const seen = new Set<string>([type]);
    while (typeof value === 'string') {
      if (!TYPE_SET.has(value)) throw new RulesDataError(`adoption: types.${type} follows "${value.slice(0, 16)}", which is no credential type`);
      if (seen.has(value)) throw new RulesDataError(`adoption: types.${type} follows a loop of type names`);
      seen.add(value);
      value = types[value];
    }
    // A type the table does not name is accepted nowhere.
    table.set(
      type,
      (value ?? []).map((e) => ({ region: e.region, from: e.from })),
    );
  }
  return { name: 'adoption', version: r.version, adoption: RegionAdoption.fromResolved(table) };
}

function parsePolicy(json: unknown): PolicyRules {
  const policy = checked('policy', policyShape, json);
  return { name: 'policy', version: policy.version, policy };
}

/** Parses rules data of `name`; throws RulesDataError naming the bad key. */
export function parseRulesData(name: 'calendar-cn', json: unknown): CalendarRules;
export function parseRulesData(name: 'adoption', json: unknown): AdoptionRules;
export function parseRulesData(name: 'policy', json: unknown): PolicyRules;
export function parseRulesData(name: RulesName, json: unknown): RulesData;
export function parseRulesData(name: RulesName, json: unknown): RulesData {
  if (name === 'calendar-cn') return parseCalendar(json);
  if (name === 'adoption') return parseAdoption(json);
  return parsePolicy(json);
}
