/**
 * The rules that apply after the verdict, written once for every way a scan is answered (the
 * appliance, the operator desk, `roadscan verify`), so the audit row and the feedback of the same
 * event are the same whichever way it came:
 *
 * - a voucher confirmed while another window had already recorded one is a refusal: hand nothing
 *   out, VOUCHER_ISSUED among the reasons, the reject pattern;
 * - a ticket boarded twice (or its voucher swapped twice) while this device was alone is reported
 *   when the queued record is handed over: a row of its own (docs/DESIGN.md, "A station with
 *   several gates and windows": reported, not hidden).
 * @module
 */
import { orderReasons, verdictOf, type ReasonCode, type Verdict } from '../core/reasons.js';
import type { AuditEntry } from '../audit/audit-log.js';
import type { OnceConflict } from '../station/handover-queue.js';
import type { DecisionResult } from '../station/once-only-stage.js';
import type { Place } from './place.js';

/** What an answer's result does to the scan it answers: a voucher already issued turns it into a refusal. */
export function afterAnswer<T extends { verdict: Verdict; reasons: readonly ReasonCode[] }>(scan: T, result: DecisionResult): T {
  if (result !== 'voucher-already-issued') return { ...scan, reasons: [...scan.reasons] };
  return { ...scan, verdict: 'reject', reasons: orderReasons([...new Set<ReasonCode>([...scan.reasons, 'VOUCHER_ISSUED'])]) };
}

/** The pattern an answer earns on the unit: one that turned into a refusal (or failed) sounds like one. */
export function answerFeedback(result: DecisionResult): 'reject' | null {
  return result === 'voucher-already-issued' || result === 'store-fault' ? 'reject' : null;
}

/**
 * The audit row of a double boarding (or a voucher swapped twice) found at a handover. It names
 * the scan this device let through alone, and says what the station would have said then: the
 * ticket was already boarded (or its voucher issued) elsewhere, and this device was offline.
 */
export function conflictAuditEntry(c: OnceConflict, place: Place, reliable: boolean): AuditEntry {
  const reasons: ReasonCode[] = orderReasons([c.action === 'voucher' ? 'VOUCHER_ISSUED' : 'ALREADY_BOARDED', 'STATION_OFFLINE']);
  return {
    atSec: c.detectedAtSec,
    reliable,
    ...place,
    result: { verdict: verdictOf(reasons), reasons, type: 'TK', statusKey: c.key, ms: 0 },
    scanId: c.ours.scanId ?? null,
  };
}
