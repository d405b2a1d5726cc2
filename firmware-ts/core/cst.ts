/**
 * Calendar dates in China Standard Time (UTC+8, no daylight saving), the time zone every
 * date rule of the spec is written in.
 * @module
 */

const CST_OFFSET_SEC = 8 * 3600;
const DAY_SEC = 86400;

/** Days since 1970-01-01 of the CST calendar date containing instant `sec`. */
export function cstDayNumber(sec: number): number {
  return Math.floor((sec + CST_OFFSET_SEC) / DAY_SEC);
}

/** Days since 1970-01-01 of a `YYYY-MM-DD` date (already validated). */
export function dayNumberOf(date: string): number {
  return Math.floor(Date.UTC(Number(date.slice(0, 4)), Number(date.slice(5, 7)) - 1, Number(date.slice(8, 10))) / 86400000);
}

export function dateOfDayNumber(day: number): string {
  return new Date(day * 86400000).toISOString().slice(0, 10);
}

/** `YYYY-MM-DD` of instant `sec` in CST. */
export function cstDate(sec: number): string {
  return dateOfDayNumber(cstDayNumber(sec));
}

/** `YYYY-MM-DD HH:MM` of instant `sec` in CST, for screens. */
export function cstDateTime(sec: number): string {
  return new Date((sec + CST_OFFSET_SEC) * 1000).toISOString().slice(0, 16).replace('T', ' ');
}
