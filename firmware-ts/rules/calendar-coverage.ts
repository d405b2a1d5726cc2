/**
 * Whether next year's working-day schedule is held in time (docs/STATUS-LIST.md: `years` are
 * the years whose State Council schedule is listed in full). The schedule for year Y+1 is
 * usually published in the last weeks of year Y; from 1 November (China Standard Time, by the
 * check clock) a scanner without it says so on /healthz and in a metric, so the authority learns
 * of a fleet that will start counting with fixed-date holidays only on 1 January.
 * @module
 */
import { cstDate } from '../core/cst.js';

export interface CalendarCoverage {
  /** The CST year of the instant. */
  year: number;
  /** True from 1 November on when `year + 1` is not among the years held. */
  nextYearMissing: boolean;
}

export function calendarCoverage(years: readonly number[], nowSec: number): CalendarCoverage {
  const date = cstDate(nowSec);
  const year = Number(date.slice(0, 4));
  const fromNovember = Number(date.slice(5, 7)) >= 11;
  return { year, nextYearMissing: fromNovember && !years.includes(year + 1) };
}
