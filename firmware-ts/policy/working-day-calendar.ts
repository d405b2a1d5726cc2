/**
 * The official working-day calendar: Monday to Friday, minus public holidays, plus the moved
 * weekend days that are worked (调休). Used to bound authorisations to 7 working days
 * (docs/CREDENTIALS.md section 3).
 *
 * The data is the `calendar-cn` rules document (docs/STATUS-LIST.md, "Signed documents"): `years`
 * are the years whose State Council schedule is held in full; for any other year only the
 * fixed-date statutory holidays (`statutoryFixed`, MM-DD) are known. Dates are held as day numbers,
 * so classifying a date is a few integer operations and set look-ups, whatever the year.
 * @module
 */
import { isIsoDate } from '../codec/claims.js';
import { arrayOf, integer, InputCheckError, matching, object, optional, string } from '../core/input-check.js';
import { civilFromDays, dayNumberOf, weekdayOf } from '../core/cst.js';

const isoDate = (v: unknown, path: string) => string(v, path, 10, { test: isIsoDate, problem: 'a YYYY-MM-DD date' });
const monthDay = (v: unknown, path: string) => matching(v, path, 5, /^(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/, 'a MM-DD date');

/**
 * Tolerant of the version-1 file (no `version`, an `about` text) and of the signed rules document
 * (`version`, other keys ignored).
 */
function calendarShape(json: unknown) {
  const o = object(json, '');
  const version = optional(o.version, 'version', (v, p) => integer(v, p, 1, Number.MAX_SAFE_INTEGER, 'not a positive integer'));
  optional(o.about, 'about', (v, p) => string(v, p, 100_000));
  return {
    ...(version === undefined ? {} : { version }),
    years: arrayOf(o.years, 'years', 10_000, (v, p) => integer(v, p, 1970, 9999)),
    statutoryFixed: o.statutoryFixed === undefined ? [] : arrayOf(o.statutoryFixed, 'statutoryFixed', 366, monthDay),
    holidays: arrayOf(o.holidays, 'holidays', 100_000, isoDate),
    workdays: arrayOf(o.workdays, 'workdays', 100_000, isoDate),
  };
}

/**
 * How one date counts: `working`/`rest` in a year whose schedule is held; `unscheduled-working`
 * (a Monday to Friday that is no fixed statutory holiday) or `unscheduled-rest` in any other year,
 * where the schedule could still move it either way.
 */
export type DayKind = 'working' | 'rest' | 'unscheduled-working' | 'unscheduled-rest';

export class WorkingDayCalendar {
  private readonly holidays: ReadonlySet<number>;
  private readonly workdays: ReadonlySet<number>;
  /** Years whose published schedule is held; outside them only `statutoryFixed` days are known. */
  readonly years: ReadonlySet<number>;
  /** Fixed statutory holidays as month * 100 + day. */
  private readonly statutoryFixed: ReadonlySet<number>;
  /** The rules document's version, null for a version-1 file. */
  readonly version: number | null;

  constructor(data: { years: number[]; holidays: string[]; workdays: string[]; statutoryFixed?: string[]; version?: number }) {
    this.years = new Set(data.years);
    this.statutoryFixed = new Set((data.statutoryFixed ?? []).map((md) => Number(md.slice(0, 2)) * 100 + Number(md.slice(3, 5))));
    this.holidays = new Set(data.holidays.map(dayNumberOf));
    this.workdays = new Set(data.workdays.map(dayNumberOf));
    this.version = data.version ?? null;
  }

  /** Parses calendar JSON; throws an Error naming the bad key. */
  static fromJson(json: unknown): WorkingDayCalendar {
    try {
      return new WorkingDayCalendar(calendarShape(json));
    } catch (err) {
      if (err instanceof InputCheckError) throw new Error(`calendar: ${err.message}`);
      throw err;
    }
  }

  /** Whether a `YYYY-MM-DD` date counts as a working day (in an unscheduled year, by its fixed holidays only). */
  isWorkingDay(date: string): boolean {
    const kind = this.dayKind(dayNumberOf(date));
    return kind === 'working' || kind === 'unscheduled-working';
  }

  /** How the date of day number `dayNumber` counts. Constant time. */
  dayKind(dayNumber: number): DayKind {
    const { year, month, day } = civilFromDays(dayNumber);
    const weekday = weekdayOf(dayNumber);
    const weekdayWorks = weekday !== 0 && weekday !== 6;
    if (this.years.has(year)) {
      if (this.workdays.has(dayNumber)) return 'working';
      if (this.holidays.has(dayNumber)) return 'rest';
      return weekdayWorks ? 'working' : 'rest';
    }
    return weekdayWorks && !this.statutoryFixed.has(month * 100 + day) ? 'unscheduled-working' : 'unscheduled-rest';
  }
}
