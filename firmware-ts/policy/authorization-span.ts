/**
 * The working-day bound of `VA` and `VD` (docs/CREDENTIALS.md section 3, as of 1.1): 7 by
 * default, `authorization.maxWorkingDays` of the policy in force (1 to 30).
 *
 * The span is the CST dates from the date of `nbf` to the date of the last valid second,
 * `exp - 1`, both included. Its cost is bounded for any input: a span past year 9999 or longer
 * than 31 dates is too long without counting (`spanBound`, a few integer operations), and only a
 * span of at most 31 dates is ever counted (`authorizationSpan`, at most 31 look-ups).
 * @module
 */
import { cstDayNumber, LAST_DAY_NUMBER } from '../core/cst.js';
import type { WorkingDayCalendar } from './working-day-calendar.js';

/** A span of more dates than this is too long without counting (the spec's bound, whatever the policy). */
export const MAX_SPAN_DATES = 31;

/** The span's first and last CST day numbers, or the reason it is too long without counting. */
export type SpanBound = { kind: 'past-year-9999' } | { kind: 'over-max-dates'; dates: number } | { kind: 'countable'; firstDay: number; lastDay: number };

export interface AuthorizationSpan {
  tooLong: boolean;
  /** A year without a held schedule decides the verdict: the operator checks the dates by hand. */
  calendarUnknown: boolean;
  /** Working days counted (unscheduled years with their fixed holidays only); null when not counted. */
  workingDays: number | null;
}

/**
 * The cheap half of the rule: never counts. `exp <= nbf` never reaches here (MALFORMED at
 * decode); should it, the span is taken as the single date of `nbf`.
 */
export function spanBound(nbfSec: number, expSec: number): SpanBound {
  const firstDay = cstDayNumber(nbfSec);
  const lastDay = Math.max(firstDay, cstDayNumber(expSec - 1));
  if (!Number.isFinite(firstDay) || !Number.isFinite(lastDay) || lastDay > LAST_DAY_NUMBER) return { kind: 'past-year-9999' };
  const dates = lastDay - firstDay + 1;
  if (dates > MAX_SPAN_DATES) return { kind: 'over-max-dates', dates };
  return { kind: 'countable', firstDay, lastDay };
}

/** The whole rule: the bound, then a count of at most 31 dates against `max` working days. */
export function authorizationSpan(nbfSec: number, expSec: number, calendar: WorkingDayCalendar, max: number): AuthorizationSpan {
  const bound = spanBound(nbfSec, expSec);
  if (bound.kind !== 'countable') return { tooLong: true, calendarUnknown: false, workingDays: null };
  let held = 0;
  let unscheduledDates = 0;
  let unscheduledWorking = 0;
  for (let day = bound.firstDay; day <= bound.lastDay; day++) {
    const kind = calendar.dayKind(day);
    if (kind === 'working') held++;
    else if (kind === 'unscheduled-working') {
      unscheduledDates++;
      unscheduledWorking++;
    } else if (kind === 'unscheduled-rest') unscheduledDates++;
  }
  // Settled when every way the unknown schedule could fall gives the same verdict.
  const settled = held + unscheduledDates <= max || held > max;
  const workingDays = held + unscheduledWorking;
  return { tooLong: workingDays > max, calendarUnknown: !settled, workingDays };
}
