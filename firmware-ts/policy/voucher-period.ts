/**
 * The window's voucher rules (docs/CREDENTIALS.md section 6, spec 1.2): a passenger exchanges
 * the e-ticket, used or not, for a paper reimbursement voucher, usually after the journey, until
 * the end of the China Standard Time date `voucher.days` after the date of `dep`; later:
 * VOUCHER_PERIOD_ENDED. Within that period a window lists neither TICKET_USED nor
 * ALREADY_BOARDED, and a ticket past its `exp` is not EXPIRED there. TICKET_REFUNDED refuses
 * everywhere, and a gate keeps every rule it had. A function of the ticket, the policy's number
 * and the clock, so it holds wherever the desk that answers the clerk lives.
 * @module
 */
import { cstDayNumber } from '../core/cst.js';
import type { ReasonCode } from '../core/reasons.js';

/** What the voucher period lifts at a window: the journey made, and the ticket's own end. */
const LIFTED_IN_PERIOD: ReadonlySet<ReasonCode> = new Set<ReasonCode>(['TICKET_USED', 'ALREADY_BOARDED', 'EXPIRED']);

/** True once the CST date of `nowSec` is past the date of `depSec` plus `days`. */
export function voucherPeriodEnded(depSec: number, nowSec: number, days: number): boolean {
  return cstDayNumber(nowSec) > cstDayNumber(depSec) + days;
}

/** The first instant after the period (00:00 CST of the date `days + 1` after departure), seconds. */
export function voucherPeriodEndSec(depSec: number, days: number): number {
  const lastDay = cstDayNumber(depSec) + days;
  return (lastDay + 1) * 86_400 - 8 * 3600;
}

/** A window ticket's reasons under the voucher rules: lifted within the period, VOUCHER_PERIOD_ENDED after it. */
export function windowVoucherReasons(reasons: readonly ReasonCode[], depSec: number, nowSec: number, days: number): ReasonCode[] {
  if (voucherPeriodEnded(depSec, nowSec, days)) return [...reasons, 'VOUCHER_PERIOD_ENDED'];
  return reasons.filter((r) => !LIFTED_IN_PERIOD.has(r));
}
