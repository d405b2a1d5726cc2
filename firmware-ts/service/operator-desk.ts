/**
 * The operator's side of a scan (docs/DESIGN.md, "Operator actions"): the one decision the
 * appliance waits for, and what a confirm or refuse does to it, whichever way it was pressed
 * (GPIO buttons, the screen, the simulator's keyboard).
 *
 * Only the latest scan can be answered: a new scan replaces the pending decision (a gate's
 * boarding then stays, a window's swap is then not recorded), and so does the end of its time on
 * screen, when the personal fields the operator compared are gone. The decision is taken from
 * the desk before the store is asked, so a button and a screen pressed together answer once.
 * Every answer is a row of the audit log naming the scan it answers, written before anyone is
 * told the result.
 * @module
 */
import type { AuditedAction, AuditedResult, AuditSink } from '../audit/audit-log.js';
import type { CheckTime } from '../core/time.js';
import type { DecisionOutcome, OnceOnlyStage, OperatorAction, PendingDecision } from '../station/once-only-stage.js';
import { orderReasons } from '../core/reasons.js';
import type { Place, ServiceLogger } from './service-types.js';

export type ActionSource = AuditedAction['source'];

export interface DecisionOffered {
  event: 'decision';
  scanId: string;
  kind: PendingDecision['kind'];
}

export interface ActionTaken {
  event: 'action';
  scanId: string;
  action: OperatorAction;
  source: ActionSource;
  result: DecisionOutcome['result'];
}

export interface OperatorDeskParts {
  stage: OnceOnlyStage;
  audit: AuditSink;
  place: Place;
  time(): CheckTime;
  /** How long a decision stays open after its scan, ms (the screen's clearAfterSec). */
  lapseMs: number;
  screen?: {
    publishDecision(d: { scanId: string; kind: PendingDecision['kind'] } | null): void;
    publishDecisionOutcome(scanId: string, result: string): void;
  };
  /** Told of every offer and answer (`--events json`, the demo's lines, the feedback). */
  onEvent?(e: DecisionOffered | ActionTaken): void;
  logger?: ServiceLogger;
}

interface Open {
  decision: PendingDecision;
  scan: AuditedResult;
  timer: NodeJS.Timeout;
}

const NO_LOG: ServiceLogger = { info() {}, warn() {}, error() {} };

export class OperatorDesk {
  private open: Open | null = null;
  private readonly log: ServiceLogger;

  constructor(private readonly p: OperatorDeskParts) {
    this.log = p.logger ?? NO_LOG;
  }

  /** The decision waiting for an answer, if any. */
  get pending(): PendingDecision | null {
    return this.open?.decision ?? null;
  }

  /** After each scan: its decision (or null), which replaces whatever was pending. */
  offer(decision: PendingDecision | null, scan: AuditedResult): void {
    this.drop();
    if (!decision) return;
    const timer = setTimeout(() => {
      if (this.open?.decision.scanId !== decision.scanId) return;
      this.log.info({ scanId: decision.scanId, kind: decision.kind }, 'decision lapsed');
      this.drop();
      this.guard(() => this.p.screen?.publishDecision(null));
    }, this.p.lapseMs);
    timer.unref();
    this.open = { decision, scan, timer };
    this.guard(() => this.p.screen?.publishDecision({ scanId: decision.scanId, kind: decision.kind }));
    this.guard(() => this.p.onEvent?.({ event: 'decision', scanId: decision.scanId, kind: decision.kind }));
  }

  /**
   * Answers the pending decision. `scanId`, when given (the screen knows which scan it shows),
   * must be the pending one. Null when nothing is pending: a press with nothing to answer is
   * ignored (and logged), never applied to an older scan.
   */
  async act(action: OperatorAction, source: ActionSource, scanId?: string): Promise<DecisionOutcome | null> {
    const open = this.open;
    if (!open || (scanId !== undefined && open.decision.scanId !== scanId)) {
      this.log.info({ action, source }, 'operator action with no decision pending');
      return null;
    }
    this.drop();
    const time = this.p.time();
    const outcome = await this.p.stage.decide(open.decision, action, time.nowSec);
    const reasons = outcome.result === 'voucher-already-issued' ? orderReasons([...open.scan.reasons, 'VOUCHER_ISSUED']) : [...open.scan.reasons];
    try {
      this.p.audit.submit({
        atSec: Math.floor(time.nowSec),
        reliable: time.reliable,
        ...this.p.place,
        result: { ...open.scan, reasons, verdict: outcome.result === 'voucher-already-issued' ? 'reject' : open.scan.verdict, ms: 0 },
        scanId: outcome.scanId,
        action: { action, source, result: outcome.result },
      });
    } catch (err) {
      this.log.error({ err: (err as Error).message, scanId: outcome.scanId }, 'audit record of an operator action failed');
    }
    this.log.info({ scanId: outcome.scanId, action, source, result: outcome.result, offline: outcome.offline }, 'operator action');
    this.guard(() => this.p.screen?.publishDecisionOutcome(outcome.scanId, outcome.result));
    this.guard(() => this.p.onEvent?.({ event: 'action', scanId: outcome.scanId, action, source, result: outcome.result }));
    return outcome;
  }

  /** Forgets the pending decision (stopping the service, a new scan). */
  drop(): void {
    if (this.open) clearTimeout(this.open.timer);
    this.open = null;
  }

  private guard(fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.log.warn({ part: 'decision', err: (err as Error)?.message ?? String(err) }, 'side output failed');
    }
  }
}
