/**
 * The once-only step of a scan, between the pure check and the feedback (docs/DESIGN.md,
 * "Operator actions" and "A station with several gates and windows"). The appliance and
 * `roadscan verify` both run it, so a ticket spends the same way from either.
 *
 * The check itself is pure and synchronous; only this step talks to a store, and the reasons it
 * adds (ALREADY_BOARDED, VOUCHER_ISSUED, STATION_OFFLINE) come from the store's answer:
 * - gate, ticket not refused: the boarding is claimed at the scan (held, so a second gate cannot
 *   let the same ticket through meanwhile); taken means ALREADY_BOARDED. With CHECK_ID a decision
 *   is pending: a refuse releases the claim so the real passenger can still board.
 * - window, ticket not refused: a voucher already recorded means VOUCHER_ISSUED; otherwise a
 *   decision is pending and the swap is recorded only on the clerk's confirm.
 * - a dry run (`roadscan verify --dry-run`) only looks, and never leaves a decision.
 *
 * A store that fails (full disk, broken database, no answer within the deadline) never changes
 * the verdict: the scan keeps what the credential earns, and `onStoreFault` hears about it (the
 * health endpoint and the screen show it).
 * @module
 */
import { randomBytes } from 'node:crypto';
import { orderReasons, verdictOf, type ReasonCode, type Verdict } from '../core/reasons.js';
import { oneLine } from '../core/text-safety.js';
import { isOnceKey, type ClaimOutcome, type OnceAction, type OnceOnlyStore, type OnceRecord } from './once-only.js';

/** What the step needs of a checked scan (a `ScanResult` fits). */
export interface OnceCheckedScan {
  verdict: Verdict;
  reasons: ReasonCode[];
  type: string | null;
  statusKey: string | null;
  /** The credential's `exp`, seconds, when it decoded: records are kept until then plus a margin. */
  expSec?: number | null;
}

/** The scan being answered: its id (the audit log's) and the instant the checks used. */
export interface OnceScan {
  scanId: string;
  nowSec: number;
}

export type DecisionKind = 'check-id' | 'voucher';
export type OperatorAction = 'confirm' | 'refuse';

/** A decision the operator still owes on a scan. */
export interface PendingDecision {
  scanId: string;
  kind: DecisionKind;
  key: string;
  /** The boarding claimed at the scan (check-id), which a refuse releases. */
  held: OnceRecord | null;
  expiresAtSec: number;
}

export type DecisionResult =
  /** check-id confirmed: the boarding claimed at the scan stays. */
  | 'boarding-kept'
  /** check-id refused: the boarding was released, the ticket can still board. */
  | 'boarding-undone'
  /** check-id refused, but the record held is no longer this scan's (nothing to undo). */
  | 'boarding-not-held'
  /** voucher confirmed and recorded. */
  | 'voucher-recorded'
  /** voucher confirmed, but another window recorded one first: hand nothing out (VOUCHER_ISSUED). */
  | 'voucher-already-issued'
  /** voucher refused: nothing recorded. */
  | 'nothing-recorded'
  /** the store failed: nothing is known to be recorded (reported through onStoreFault). */
  | 'store-fault';

export interface DecisionOutcome {
  scanId: string;
  kind: DecisionKind;
  action: OperatorAction;
  result: DecisionResult;
  /** The store answered from this device's own record only. */
  offline: boolean;
  /** The record that won, when another device had already recorded the voucher. */
  by?: OnceRecord;
}

export interface OnceStep<T extends OnceCheckedScan> {
  result: T;
  decision: PendingDecision | null;
}

export type StoreOp = 'lookup' | 'claim' | 'release';

/** A store that threw or did not answer in time. */
export interface StoreFault {
  op: StoreOp;
  action: OnceAction;
  scanId: string;
  /** One line, for the log and the health endpoint. */
  message: string;
}

export interface OnceOnlyStageOptions {
  store: OnceOnlyStore;
  /** The configured profile: only `gate` and `window` have once-only rules. */
  profile: string;
  /** This device's id (the audit log's), carried in every record. */
  device: string;
  /** How long a record outlives its ticket's `exp`, seconds (default a day: clocks drift). */
  marginSec?: number;
  /** A store call not settled after this long is a fault, ms (default 3000). */
  deadlineMs?: number;
  /** Look only: never claim, never leave a decision (`roadscan verify --dry-run`). */
  dryRun?: boolean;
  onStoreFault?: (fault: StoreFault) => void;
  /** Told once when the store answers again after a fault (the fault can be cleared). */
  onStoreRecovered?: () => void;
  /** The warn codes the policy in force escalates to a reject (STATION_OFFLINE can be one). */
  escalate?: () => ReadonlySet<ReasonCode>;
}

/** No ticket is kept longer than this past the scan, whatever its `exp` says (exp can be 2^40). */
export const MAX_KEEP_SEC = 400 * 86_400;
export const DEFAULT_MARGIN_SEC = 86_400;

class StoreTimeout extends Error {}

/** A fresh scan id: 16 hex digits, unique enough for one station's audit logs. */
export function newScanId(): string {
  return randomBytes(8).toString('hex');
}

export class OnceOnlyStage {
  private readonly marginSec: number;
  private readonly deadlineMs: number;
  private failing = false;

  constructor(private readonly opts: OnceOnlyStageOptions) {
    this.marginSec = opts.marginSec ?? DEFAULT_MARGIN_SEC;
    this.deadlineMs = opts.deadlineMs ?? 3000;
  }

  /** Whether scans in this profile can have once-only rules at all. */
  get active(): boolean {
    return this.opts.profile === 'gate' || this.opts.profile === 'window';
  }

  /** Applies the once-only rules to a checked scan. Never throws; never turns a verdict MALFORMED. */
  async apply<T extends OnceCheckedScan>(result: T, scan: OnceScan): Promise<OnceStep<T>> {
    const key = result.statusKey;
    if (!this.active || result.type !== 'TK' || !isOnceKey(key)) return { result, decision: null };
    return this.opts.profile === 'gate' ? this.gate(result, key, scan) : this.window(result, key, scan);
  }

  /** Carries out the operator's decision on a pending scan. Never throws. */
  async decide(decision: PendingDecision, action: OperatorAction, nowSec: number): Promise<DecisionOutcome> {
    const base = { scanId: decision.scanId, kind: decision.kind, action };
    if (decision.kind === 'check-id') {
      if (action === 'confirm') return { ...base, result: 'boarding-kept', offline: false };
      if (!decision.held) return { ...base, result: 'boarding-not-held', offline: false };
      const held = decision.held;
      const r = await this.call('release', 'boarded', decision.scanId, () => this.opts.store.release(decision.key, held));
      if (!r) return { ...base, result: 'store-fault', offline: false };
      return { ...base, result: r.released ? 'boarding-undone' : 'boarding-not-held', offline: r.offline };
    }
    if (action === 'refuse') return { ...base, result: 'nothing-recorded', offline: false };
    const rec: OnceRecord = { action: 'voucher', device: this.opts.device, atSec: Math.floor(nowSec), scanId: decision.scanId };
    const c = await this.call('claim', 'voucher', decision.scanId, () => this.opts.store.claim(decision.key, rec, decision.expiresAtSec));
    if (!c) return { ...base, result: 'store-fault', offline: false };
    if (c.result === 'taken') return { ...base, result: 'voucher-already-issued', offline: c.offline, by: c.by };
    return { ...base, result: 'voucher-recorded', offline: c.offline };
  }

  private async gate<T extends OnceCheckedScan>(result: T, key: string, scan: OnceScan): Promise<OnceStep<T>> {
    const added: ReasonCode[] = [];
    if (this.opts.dryRun || result.verdict === 'reject') {
      // Checked always, claimed only when the scan lets the ticket through.
      const r = await this.call('lookup', 'boarded', scan.scanId, () => this.opts.store.lookup(key, 'boarded'));
      if (r?.record) added.push('ALREADY_BOARDED');
      if (r?.offline) added.push('STATION_OFFLINE');
      return { result: this.withReasons(result, added), decision: null };
    }
    const rec: OnceRecord = { action: 'boarded', device: this.opts.device, atSec: Math.floor(scan.nowSec), scanId: scan.scanId };
    const c: ClaimOutcome | null = await this.call('claim', 'boarded', scan.scanId, () => this.opts.store.claim(key, rec, this.expiresAt(result, scan.nowSec)));
    if (!c) return { result, decision: null };
    if (c.offline) added.push('STATION_OFFLINE');
    if (c.result === 'taken') {
      added.push('ALREADY_BOARDED');
      return { result: this.withReasons(result, added), decision: null };
    }
    const checked = this.withReasons(result, added);
    const decision: PendingDecision | null = result.reasons.includes('CHECK_ID')
      ? { scanId: scan.scanId, kind: 'check-id', key, held: rec, expiresAtSec: this.expiresAt(result, scan.nowSec) }
      : null;
    return { result: checked, decision };
  }

  private async window<T extends OnceCheckedScan>(result: T, key: string, scan: OnceScan): Promise<OnceStep<T>> {
    const added: ReasonCode[] = [];
    const r = await this.call('lookup', 'voucher', scan.scanId, () => this.opts.store.lookup(key, 'voucher'));
    if (r?.record) added.push('VOUCHER_ISSUED');
    if (r?.offline) added.push('STATION_OFFLINE');
    const checked = this.withReasons(result, added);
    const decision: PendingDecision | null =
      this.opts.dryRun || checked.verdict === 'reject'
        ? null
        : { scanId: scan.scanId, kind: 'voucher', key, held: null, expiresAtSec: this.expiresAt(result, scan.nowSec) };
    return { result: checked, decision };
  }

  /** The scan with the reasons this step adds; a verdict only ever gets worse (an escalated warn stays a reject). */
  private withReasons<T extends OnceCheckedScan>(result: T, added: readonly ReasonCode[]): T {
    if (added.length === 0) return result;
    const reasons = orderReasons([...result.reasons, ...added]);
    const escalate = this.opts.escalate?.();
    const escalated = escalate !== undefined && added.some((r) => escalate.has(r));
    const verdict: Verdict = result.verdict === 'reject' || escalated ? 'reject' : verdictOf(reasons);
    return { ...result, reasons, verdict };
  }

  private expiresAt(result: OnceCheckedScan, nowSec: number): number {
    const now = Math.floor(nowSec);
    const exp = typeof result.expSec === 'number' && Number.isFinite(result.expSec) ? Math.floor(result.expSec) : now;
    return Math.min(Math.max(exp, now), now + MAX_KEEP_SEC) + this.marginSec;
  }

  /** One store call under the deadline; a throw or a timeout is reported and answers null. */
  private async call<R>(op: StoreOp, action: OnceAction, scanId: string, fn: () => Promise<R>): Promise<R | null> {
    let timer: NodeJS.Timeout | undefined;
    try {
      const deadline = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new StoreTimeout(`no answer within ${this.deadlineMs} ms`)), this.deadlineMs);
      });
      const answer = await Promise.race([Promise.resolve().then(fn), deadline]);
      if (this.failing) {
        this.failing = false;
        try {
          this.opts.onStoreRecovered?.();
        } catch {
          // A listener that fails must not fail the scan.
        }
      }
      return answer;
    } catch (err) {
      this.failing = true;
      const message = oneLineMessage(err);
      try {
        this.opts.onStoreFault?.({ op, action, scanId, message });
      } catch {
        // A listener that fails must not fail the scan.
      }
      return null;
    } finally {
      clearTimeout(timer);
    }
  }
}

function oneLineMessage(err: unknown): string {
  const text = err instanceof Error ? `${(err as NodeJS.ErrnoException).code ?? err.name}: ${err.message}` : String(err);
  return oneLine(text, 200);
}
