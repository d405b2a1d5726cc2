/**
 * The rules data of docs/STATUS-LIST.md ("Signed documents"): `calendar-cn`, the working-day
 * calendar, and `adoption`, where and since when each credential type is accepted. One parser
 * for every source (the files shipped in config/, a configured file, a document received by
 * sync), so a verdict never depends on where its rules came from. Each carries its own
 * positive integer `version`; other keys are ignored; sizes are bounded. The parser hands the
 * policy classes (WorkingDayCalendar, RegionAdoption) exactly the data they take, and leaves
 * the counting to them.
 * @module
 */
import { z } from 'zod';
import { CREDENTIAL_TYPES, isIsoDate, type CredentialType } from '../codec/claims.js';
import { RegionAdoption } from '../policy/region-adoption.js';
import { WorkingDayCalendar } from '../policy/working-day-calendar.js';

export const RULES_NAMES = ['calendar-cn', 'adoption'] as const;
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

const version = z.number().int('not a positive integer').positive('not a positive integer').max(Number.MAX_SAFE_INTEGER);
const isoDate = z.string().max(10).refine(isIsoDate, 'not a YYYY-MM-DD date');
/** MM-DD of a date that exists in some year (29 February included). */
const monthDay = z
  .string()
  .regex(/^\d{2}-\d{2}$/, 'not an MM-DD date')
  .refine((s) => isIsoDate(`2024-${s}`), 'not an MM-DD date');

const calendarSchema = z.object({
  version,
  years: z.array(z.number().int().min(1970).max(9999)).max(MAX_YEARS),
  holidays: z.array(isoDate).max(MAX_DATES),
  workdays: z.array(isoDate).max(MAX_DATES),
  statutoryFixed: z.array(monthDay).max(366),
});

const adoptionEntry = z.object({
  region: z.string().regex(/^(\*|\d{6})$/, 'not "*" or a 6-digit region code'),
  from: isoDate,
});
const adoptionSchema = z.object({
  version,
  types: z.record(z.string().max(16), z.union([z.array(adoptionEntry).max(MAX_ENTRIES_PER_TYPE), z.string().max(16)])),
});

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

export type RulesData = CalendarRules | AdoptionRules;

function refuse(name: RulesName, result: z.ZodSafeParseError<unknown>): never {
  const issue = result.error.issues[0]!;
  throw new RulesDataError(`${name}: ${issue.path.join('.') || '(top level)'}: ${issue.message}`);
}

function parseCalendar(json: unknown): CalendarRules {
  const r = calendarSchema.safeParse(json);
  if (!r.success) refuse('calendar-cn', r);
  const { years, holidays, workdays, statutoryFixed } = r.data;
  const off = new Set(holidays);
  const both = workdays.find((d) => off.has(d));
  if (both) throw new RulesDataError(`calendar-cn: ${both} is listed both as a holiday and as a worked day`);
  return {
    name: 'calendar-cn',
    version: r.data.version,
    years: [...new Set(years)].sort((a, b) => a - b),
    calendar: new WorkingDayCalendar({ years, holidays, workdays, statutoryFixed }),
  };
}

const TYPE_SET: ReadonlySet<string> = new Set(CREDENTIAL_TYPES);

function parseAdoption(json: unknown): AdoptionRules {
  const r = adoptionSchema.safeParse(json);
  if (!r.success) refuse('adoption', r);
  const types = r.data.types;
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
  return { name: 'adoption', version: r.data.version, adoption: RegionAdoption.fromResolved(table) };
}

/** Parses rules data of `name`; throws RulesDataError naming the bad key. */
export function parseRulesData(name: 'calendar-cn', json: unknown): CalendarRules;
export function parseRulesData(name: 'adoption', json: unknown): AdoptionRules;
export function parseRulesData(name: RulesName, json: unknown): RulesData;
export function parseRulesData(name: RulesName, json: unknown): RulesData {
  return name === 'calendar-cn' ? parseCalendar(json) : parseAdoption(json);
}
