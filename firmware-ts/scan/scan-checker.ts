/**
 * One scan, from QR text to verdict: decode, verify, apply the status list and the rules of the
 * place, order the reasons. It never throws: anything unreadable is MALFORMED.
 *
 * The check is pure: it reads the status list but writes nothing. Whether a ticket already
 * boarded or was swapped for a voucher is the once-only step's answer (station/once-only-stage.ts),
 * which runs after it, so a failing store can never make a readable code MALFORMED.
 * @module
 */
import { performance } from 'node:perf_hooks';
import type { Credential, CredentialType } from '../codec/claims.js';
import { decodeCode, type DecodedCode } from '../codec/decode-presentation.js';
import { listAge } from '../core/staleness.js';
import { displaySafe } from '../core/text-safety.js';
import type { CheckTime } from '../core/time.js';
import { placeReasons, type PlaceRules } from '../policy/profile-rules.js';
import { servesAt, type HeldDocument } from '../signed/expiry.js';
import { entryKey, reasonForStatus } from '../status/list/index.js';
import type { StatusSource } from '../status/list/index.js';
import { displayFields } from '../verdict/display-fields.js';
import { orderReasons, verdictOf, type ReasonCode, type Verdict } from '../core/reasons.js';
import { SignatureVerifier } from '../verify/signature-verifier.js';
import type { TrustList } from '../verify/trust-list.js';
import { verifyPresentation, type PresentationOptions } from '../verify/verify-presentation.js';
import { isEscalated, isServed, type PolicyInForce } from '../policy/rules-policy.js';
import { voucherPeriodEndSec, windowVoucherReasons } from '../policy/voucher-period.js';

export interface ScanResult {
  verdict: Verdict;
  reasons: ReasonCode[];
  type: CredentialType | null;
  /** Masked, display-safe; empty unless a trusted issuer's signature verified. */
  fields: Record<string, string>;
  /** Time spent checking, milliseconds. */
  ms: number;
  /** Hex status-list key of the credential (for the audit log), or null when undecodable. */
  statusKey: string | null;
  /** The credential's `exp`, seconds, when it decoded (once-only records are kept until then); a window's ticket: the end of its voucher period when later. */
  expSec?: number | null;
}

export interface ScanCheckerOptions {
  trust: TrustList;
  status: StatusSource;
  /** The place, the rules data and the policy in force, whose numbers every check reads. */
  rules: PlaceRules;
  /** The signed documents held (trust list with a root, synced rules data): one past its `expires` gives TRUST_STALE. */
  signed?: readonly HeldDocument[];
  /** Told about an unexpected error inside a check (the scan itself ends MALFORMED). */
  onInternalError?: (err: unknown) => void;
}

/**
 * The status-list key of the owner's `VR` that a `VA` or `VD` refers to (docs/CREDENTIALS.md
 * section 3): its `ris`, or else its own `iss`, with `ref`. Null when there is no reference.
 */
export function referencedRegistrationKey(c: Credential): Buffer | null {
  if ((c.typ !== 'VA' && c.typ !== 'VD') || !(c.dat.ref instanceof Uint8Array)) return null;
  return entryKey(typeof c.dat.ris === 'string' ? c.dat.ris : c.iss, c.dat.ref);
}

export class ScanChecker {
  private readonly verifier = new SignatureVerifier();
  private readonly presentation: PresentationOptions;
  private readonly statusMaxAgeSec: number;

  constructor(private readonly opts: ScanCheckerOptions) {
    const n = opts.rules.policy.numbers;
    this.presentation = { skewSec: n['presentation.skewSec'], windowSec: n['presentation.windowSec'] };
    this.statusMaxAgeSec = n['statusList.maxAgeHours'] * 3600;
  }

  /** The policy this checker applies (its numbers after the configuration). */
  get policy(): PolicyInForce {
    return this.opts.rules.policy;
  }

  /** The verdict of a list of reasons under the policy in force: a reject, or an escalated warn, rejects. */
  verdictOf(reasons: readonly ReasonCode[]): Verdict {
    return isEscalated(this.opts.rules.policy.policy, reasons) ? 'reject' : verdictOf(reasons);
  }

  check(text: string, time: CheckTime): ScanResult {
    const started = performance.now();
    try {
      return this.checkOrThrow(text, time, started);
    } catch (err) {
      // A decoded code that still trips a check is a bug here, not a reason to stop scanning:
      // the code is refused as unreadable, and the error goes to whoever watches.
      this.opts.onInternalError?.(err);
      const reasons: ReasonCode[] = ['MALFORMED'];
      this.freshnessReasons(time, reasons);
      return { verdict: 'reject', reasons: orderReasons(reasons), type: null, fields: {}, ms: performance.now() - started, statusKey: null };
    }
  }

  private checkOrThrow(text: string, time: CheckTime, started: number): ScanResult {
    const reasons: ReasonCode[] = [];
    let code: DecodedCode | null = null;
    try {
      code = decodeCode(text);
    } catch {
      reasons.push('MALFORMED');
    }
    let type: CredentialType | null = null;
    let fields: Record<string, string> = {};
    let statusKey: Buffer | null = null;
    let keepUntil: number | null = null;
    if (code) {
      const c = code.credential;
      type = c.typ;
      const verified = verifyPresentation(code, this.opts.trust, this.verifier, time, this.presentation);
      reasons.push(...verified.reasons, ...placeReasons(c, time, this.opts.rules, verified.issuerSignatureValid));
      statusKey = entryKey(c.iss, c.cti);
      this.statusReasons(statusKey, reasons);
      const registration = referencedRegistrationKey(c);
      if (registration) this.statusReasons(registration, reasons);
      if (this.atWindow(c)) {
        // Spec 1.2: the voucher period lifts TICKET_USED and EXPIRED, and ends in VOUCHER_PERIOD_ENDED.
        const days = this.opts.rules.policy.numbers['voucher.days'];
        reasons.splice(0, reasons.length, ...windowVoucherReasons(reasons, c.dat.dep as number, time.nowSec, days));
        // A voucher recorded after the ticket's exp must be kept to the end of the period, or it could be swapped twice.
        keepUntil = Math.max(c.exp, voucherPeriodEndSec(c.dat.dep as number, days));
      }
      if (verified.issuerSignatureValid) fields = this.withStationName(displayFields(c), c);
    }
    this.freshnessReasons(time, reasons);
    const ordered = orderReasons(reasons);
    return {
      verdict: this.verdictOf(ordered),
      reasons: ordered,
      type,
      fields,
      ms: performance.now() - started,
      statusKey: statusKey ? statusKey.toString('hex') : null,
      expSec: code ? (keepUntil ?? code.credential.exp) : null,
    };
  }

  /** A ticket scanned at a window that serves tickets: the voucher rules apply. */
  private atWindow(c: Credential): boolean {
    const { profile, policy } = this.opts.rules;
    return c.typ === 'TK' && profile === 'window' && typeof c.dat.dep === 'number' && isServed(policy.policy, profile, c.typ);
  }

  /** A ticket leaving from this station shows the station's configured name beside its code. */
  private withStationName(fields: Record<string, string>, c: Credential): Record<string, string> {
    const { station, stationName } = this.opts.rules;
    if (c.typ !== 'TK' || !station || !stationName || c.dat.frm !== station) return fields;
    return { ...fields, fromName: displaySafe(stationName) };
  }

  private statusReasons(key: Uint8Array, reasons: ReasonCode[]): void {
    const reason = reasonForStatus(this.opts.status.statusOf(key));
    if (reason) reasons.push(reason);
  }

  private freshnessReasons(time: CheckTime, reasons: ReasonCode[]): void {
    if (listAge(this.opts.status.listIat(), time.nowSec, this.statusMaxAgeSec).stale) reasons.push('STATUS_LIST_STALE');
    // Spec 1.2: a held signed document past its expires keeps serving, but every scan says so.
    if (this.opts.signed && this.opts.signed.some((d) => !servesAt(d.expires, time.nowSec))) reasons.push('TRUST_STALE');
    if (!time.reliable) reasons.push('CLOCK_UNRELIABLE');
  }
}
