/**
 * The official working-day calendar: Monday to Friday, minus public holidays, plus the moved
 * weekend days that are worked (调休). Used to bound authorisations to 7 working days.
 * @module
 */
import { z } from 'zod';
import { isIsoDate } from '../codec/claims.js';
import { dateOfDayNumber, dayNumberOf } from '../core/cst.js';

const isoDate = z.string().refine(isIsoDate, 'a YYYY-MM-DD date');
const calendarSchema = z.object({
  about: z.string().optional(),
  years: z.array(z.number().int().min(1970).max(2200)),
  statutoryFixed: z.array(z.string().regex(/^\d{2}-\d{2}$/, 'a MM-DD date')).default([]),
  holidays: z.array(isoDate),
  workdays: z.array(isoDate),
});

export class WorkingDayCalendar {
  private readonly holidays: ReadonlySet<string>;
  private readonly workdays: ReadonlySet<string>;
  /** Years whose published schedule is held; outside them only `statutoryFixed` days are known. */
  readonly years: ReadonlySet<number>;
  private readonly statutoryFixed: ReadonlySet<string>;

  constructor(data: { years: number[]; holidays: string[]; workdays: string[]; statutoryFixed?: string[] }) {
    this.years = new Set(data.years);
    this.statutoryFixed = new Set(data.statutoryFixed ?? []);
    this.holidays = new Set(data.holidays);
    this.workdays = new Set(data.workdays);
  }

  /** Parses calendar JSON; throws an Error naming the bad key. */
  static fromJson(json: unknown): WorkingDayCalendar {
    const r = calendarSchema.safeParse(json);
    if (!r.success) {
      const issue = r.error.issues[0]!;
      throw new Error(`calendar: ${issue.path.join('.')}: ${issue.message}`);
    }
    return new WorkingDayCalendar(r.data);
  }

  isWorkingDay(date: string): boolean {
    if (this.workdays.has(date)) return true;
    if (this.holidays.has(date)) return false;
    if (!this.years.has(Number(date.slice(0, 4))) && this.statutoryFixed.has(date.slice(5))) return false;
    const weekday = new Date(`${date}T00:00:00Z`).getUTCDay();
    return weekday !== 0 && weekday !== 6;
  }

  /** Working days from `from` to `to`, both included (0 when `to` is before `from`). */
  countWorkingDays(from: string, to: string): number {
    const first = dayNumberOf(from);
    const last = dayNumberOf(to);
    let n = 0;
    for (let d = first; d <= last; d++) if (this.isWorkingDay(dateOfDayNumber(d))) n++;
    return n;
  }
}
