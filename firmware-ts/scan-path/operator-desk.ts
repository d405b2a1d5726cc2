/**
 * The operator's side of a scan (docs/DESIGN.md, "Operator actions"): the one decision the
 * scan path waits for, and what a confirm or refuse does to it, whichever way it was pressed
 * (GPIO buttons, the screen, the simulator's keyboard, `roadscan verify --confirm`).
 *
 * Only the latest scan can be answered: a new scan replaces the pending decision (a gate's
 * boarding then stays, a window's swap is then not recorded), and so does the end of its time on
 * screen, when the personal fields the operator compared are gone. The decision is taken from
 * the desk before the store is asked, so a button and a screen pressed together answer once.
 * Every answer is a row of the audit log naming the scan it answers, written before anyone is
 * told the result.
 * @module
 */
import type { AuditSink } from '../audit/audit-log.js';
import type { CheckTime } from '../core/time.js';
import type { ScanResult } from '../scan/scan-checker.js';
import type { DecisionOutcome, OnceOnlyStage, OperatorAction, PendingDecision } from '../station/once-only-stage.js';
import { afterAnswer, answerFeedback } from './after-check-rules.js';
import { NO_LOG, type PathLogger, type Place } from './place.js';
import type { ActionSource, AnswerGiven, DecisionChange } from './scan-path-events.js';

export interface OperatorDeskParts {
  stage: OnceOnlyStage;
  /** Where each answer's row goes; null: nothing is recorded (a dry run). */
  audit: AuditSink | null;
  place: Place;
  time(): CheckTime;
  /** How long a decision stays open after its scan, ms (the screen's clearAfterSec). */
  lapseMs: number;
  /** Told of every offer, lapse and answer (the scan path re-emits them). */
  onDecision(d: DecisionChange): void;
  onAnswer(a: AnswerGiven): void;
  logger?: PathLogger;
}

/** An answer: what the store did, and the scan as it now stands (a voucher already issued: a refusal). */
export interface Answer {
  outcome: DecisionOutcome;
  result: ScanResult;
}

interface Open {
  decision: PendingDecision;
  scan: ScanResult;
  timer: NodeJS.Timeout;
}

export class OperatorDesk {
  private open: Open | null = null;
  private readonly log: PathLogger;

  constructor(private readonly p: OperatorDeskParts) {
    this.log = p.logger ?? NO_LOG;
  }

  /** The decision waiting for an answer, if any. */
  get pending(): PendingDecision | null {
    return this.open?.decision ?? null;
  }

  /** After each scan: its decision (or null), which replaces whatever was pending. */
  offer(decision: PendingDecision | null, scan: ScanResult): void {
    this.drop();
    if (!decision) return;
    const timer = setTimeout(() => {
      if (this.open?.decision.scanId !== decision.scanId) return;
      this.log.info({ scanId: decision.scanId, kind: decision.kind }, 'decision lapsed');
      this.drop();
      this.p.onDecision({ scanId: decision.scanId, kind: decision.kind, state: 'lapsed' });
    }, this.p.lapseMs);
    timer.unref();
    this.open = { decision, scan, timer };
    this.p.onDecision({ scanId: decision.scanId, kind: decision.kind, state: 'open' });
  }

  /**
   * Answers the pending decision. `scanId`, when given (the screen knows which scan it shows),
   * must be the pending one. Null when nothing is pending: a press with nothing to answer is
   * ignored (and logged), never applied to an older scan.
   */
  async act(action: OperatorAction, source: ActionSource, scanId?: string): Promise<Answer | null> {
    const open = this.open;
    if (!open || (scanId !== undefined && open.decision.scanId !== scanId)) {
      this.log.info({ action, source }, 'operator action with no decision pending');
      return null;
    }
    this.drop();
    const time = this.p.time();
    const outcome = await this.p.stage.decide(open.decision, action, time.nowSec);
    const result = afterAnswer(open.scan, outcome.result);
    try {
      this.p.audit?.submit({
        atSec: Math.floor(time.nowSec),
        reliable: time.reliable,
        ...this.p.place,
        result: { ...result, ms: 0 },
        scanId: outcome.scanId,
        action: { action, source, result: outcome.result },
      });
    } catch (err) {
      this.log.error({ err: (err as Error).message, scanId: outcome.scanId }, 'audit record of an operator action failed');
    }
    this.log.info({ scanId: outcome.scanId, action, source, result: outcome.result, offline: outcome.offline }, 'operator action');
    this.p.onAnswer({ scanId: outcome.scanId, kind: outcome.kind, action, source, result: outcome.result, feedback: answerFeedback(outcome.result) });
    return { outcome, result };
  }

  /** Forgets the pending decision (stopping the service, a new scan). */
  drop(): void {
    if (this.open) clearTimeout(this.open.timer);
    this.open = null;
  }
}
