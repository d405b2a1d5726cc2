/**
 * The events of the scan path (scan-path.ts), one interface mapping each name to its payload, so
 * every output subscribes by name and gets a typed payload (typed-emitter.ts). The outputs (the
 * device loop's patterns, the screen, metrics, the clock floor, `--events json`, storage health)
 * take these types and never the checker itself.
 *
 * - `scan`: a code was checked, its once-only step run and its record handed to the audit sink;
 * - `decision`: the scan left a decision to the operator (`open`), or the decision lapsed;
 * - `answer`: the operator answered it, and what that did (its audit row is written first);
 * - `fault`: a record that could not be kept, or a once-only store that failed or came back.
 * @module
 */
import type { CheckTime } from '../core/time.js';
import type { ScanResult } from '../scan/scan-checker.js';
import type { DecisionKind, DecisionResult, OperatorAction, StoreFault } from '../station/once-only-stage.js';
import type { AuditedAction } from '../audit/audit-log.js';
import type { Place } from './place.js';

export type { ScanResult, CheckTime, DecisionKind, DecisionResult, OperatorAction, StoreFault };

/** Where a text came from: a frame the device read, or a line given to `roadscan verify`. */
export type ScanOrigin = 'device' | 'command';

/** Who answered a decision: the unit's buttons, the screen, the simulator's keys, `verify --confirm`. */
export type ActionSource = AuditedAction['source'];

export interface ScanHandled {
  /** The scan's id; null only on a path made `when-kept` that keeps nothing (scan-path.ts, scansNeedIds). */
  scanId: string | null;
  origin: ScanOrigin;
  /** The verdict after the once-only step (ALREADY_BOARDED and the like come from there). */
  result: ScanResult;
  /** The instant the checks used. */
  time: CheckTime;
  place: Place;
}

export interface DecisionChange {
  scanId: string;
  kind: DecisionKind;
  /** `open`: waiting for the operator; `lapsed`: its time on screen ended unanswered. */
  state: 'open' | 'lapsed';
}

export interface AnswerGiven {
  scanId: string;
  kind: DecisionKind;
  action: OperatorAction;
  source: ActionSource;
  result: DecisionResult;
  /** The pattern the answer earns on the unit: `reject` when it turned into a refusal, else none. */
  feedback: 'reject' | null;
}

export type PathFault =
  | { part: 'audit'; state: 'failing'; message: string }
  | { part: 'audit'; state: 'recovered' }
  | { part: 'once-only'; state: 'failing'; fault: StoreFault }
  | { part: 'once-only'; state: 'recovered' };

export interface ScanPathEvents {
  scan: ScanHandled;
  decision: DecisionChange;
  answer: AnswerGiven;
  fault: PathFault;
}
