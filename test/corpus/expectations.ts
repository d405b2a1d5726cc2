/**
 * Expected outcomes, derived from docs/CREDENTIALS.md section 6 alone (own copy of the table, not the
 * appliance's): reasons in the table's order, reject if any reject code, else warn if any code.
 * @module
 */

/** Section 6 table, most important first. */
export const SPEC_REASON_ORDER = [
  'MALFORMED',
  'UNKNOWN_ISSUER',
  'ISSUER_NOT_AUTHORIZED',
  'BAD_SIGNATURE',
  'BAD_HOLDER_SIGNATURE',
  'NOT_YET_VALID',
  'EXPIRED',
  'STALE_PRESENTATION',
  'PRESENTATION_REQUIRED',
  'AUTHORIZATION_TOO_LONG',
  'REVOKED',
  'SUSPENDED',
  'OVERDUE_MEDICAL',
  'OVERDUE_REVIEW',
  'ANNOUNCED_INVALID',
  'AUTHORIZATION_CANCELLED',
  'TICKET_REFUNDED',
  'TICKET_USED',
  'NOT_ACCEPTED_IN_REGION',
  'NOT_APPLICABLE',
  'WRONG_STATION',
  'OUTSIDE_BOARDING_WINDOW',
  'ALREADY_BOARDED',
  'VOUCHER_ISSUED',
  'VOUCHER_PERIOD_ENDED',
  'INSPECTION_OVERDUE',
  'PAPER_REQUIRED',
  'CHECK_ID',
  'CALENDAR_UNKNOWN',
  'STATION_OFFLINE',
  'STATUS_LIST_STALE',
  'TRUST_STALE',
  'CLOCK_UNRELIABLE',
] as const;

export type Reason = (typeof SPEC_REASON_ORDER)[number];
export type Verdict = 'accept' | 'warn' | 'reject';

const WARN: ReadonlySet<Reason> = new Set<Reason>([
  'INSPECTION_OVERDUE',
  'PAPER_REQUIRED',
  'CHECK_ID',
  'CALENDAR_UNKNOWN',
  'STATION_OFFLINE',
  'STATUS_LIST_STALE',
  'TRUST_STALE',
  'CLOCK_UNRELIABLE',
]);

/**
 * The reasons every corpus line carries after its own: the test database never synced a status
 * list, so each scan is flagged STATUS_LIST_STALE (and --now is taken as true: no CLOCK_UNRELIABLE).
 */
export const ALWAYS: readonly Reason[] = ['STATUS_LIST_STALE'];

export function sortReasons(reasons: Iterable<Reason>): Reason[] {
  const rank = (r: Reason): number => SPEC_REASON_ORDER.indexOf(r);
  return [...new Set(reasons)].sort((a, b) => rank(a) - rank(b));
}

export function verdictFor(reasons: readonly Reason[]): Verdict {
  if (reasons.some((r) => !WARN.has(r))) return 'reject';
  return reasons.length > 0 ? 'warn' : 'accept';
}

/** A case's own reasons, completed with the ones every line carries. */
export function expected(reasons: readonly Reason[]): { verdict: Verdict; reasons: Reason[] } {
  const all = sortReasons([...reasons, ...ALWAYS]);
  return { verdict: verdictFor(all), reasons: all };
}
