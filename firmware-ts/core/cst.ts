/**
 * Calendar dates in China Standard Time (UTC+8, no daylight saving), the time zone every
 * date rule of the spec is written in.
 *
 * Integer day arithmetic only (days since 1970-01-01, the proleptic Gregorian calendar): no
 * `Date` object, so no instant can produce NaN or a `+010000-...` year. Every rule reasons about
 * years up to 9999 (docs/CREDENTIALS.md section 3); an instant past that counts as past it, and
 * a date is never printed beyond 9999-12-31.
 * @module
 */

const CST_OFFSET_SEC = 8 * 3600;
const DAY_SEC = 86400;

export interface CivilDate {
  year: number;
  /** 1 to 12. */
  month: number;
  /** 1 to 31. */
  day: number;
}

/** Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's `days_from_civil`). */
export function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const mp = (month + 9) % 12;
  const doy = Math.floor((153 * mp + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

/** The date of a day number (H. Hinnant's `civil_from_days`). */
export function civilFromDays(dayNumber: number): CivilDate {
  const z = dayNumber + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  return { year: yoe + era * 400 + (month <= 2 ? 1 : 0), month, day };
}

/** Day number of 9999-12-31, the last date any rule reasons about. */
export const LAST_DAY_NUMBER = daysFromCivil(9999, 12, 31);

/** 0 Sunday to 6 Saturday (1970-01-01 was a Thursday). */
export function weekdayOf(dayNumber: number): number {
  return (((dayNumber + 4) % 7) + 7) % 7;
}

/** Days since 1970-01-01 of the CST calendar date containing instant `sec` (may pass year 9999). */
export function cstDayNumber(sec: number): number {
  return Math.floor((sec + CST_OFFSET_SEC) / DAY_SEC);
}

/** Days since 1970-01-01 of a `YYYY-MM-DD` date (already validated). */
export function dayNumberOf(date: string): number {
  return daysFromCivil(Number(date.slice(0, 4)), Number(date.slice(5, 7)), Number(date.slice(8, 10)));
}

const pad = (n: number, width: number): string => String(n).padStart(width, '0');

/** `YYYY-MM-DD` of a day number, held within years 0 to 9999. */
export function dateOfDayNumber(dayNumber: number): string {
  const d = civilFromDays(Math.min(Math.max(dayNumber, daysFromCivil(0, 1, 1)), LAST_DAY_NUMBER));
  return `${pad(d.year, 4)}-${pad(d.month, 2)}-${pad(d.day, 2)}`;
}

/** `YYYY-MM-DD` of instant `sec` in CST; an instant past year 9999 prints as 9999-12-31. */
export function cstDate(sec: number): string {
  return dateOfDayNumber(cstDayNumber(sec));
}

/** `YYYY-MM-DD HH:MM` of instant `sec` in CST, for screens; past year 9999, 9999-12-31 23:59. */
export function cstDateTime(sec: number): string {
  const dayNumber = cstDayNumber(sec);
  if (dayNumber > LAST_DAY_NUMBER) return `${dateOfDayNumber(LAST_DAY_NUMBER)} 23:59`;
  const secOfDay = sec + CST_OFFSET_SEC - dayNumber * DAY_SEC;
  return `${dateOfDayNumber(dayNumber)} ${pad(Math.floor(secOfDay / 3600), 2)}:${pad(Math.floor((secOfDay % 3600) / 60), 2)}`;
}
