/**
 * The scan path's face, the only file other folders import: `ScanPath` (check -> once-only step
 * -> record, one at a time, with the operator desk), its typed events, the rules that apply after
 * the verdict, and the typed emitter the device loop reuses. `app/` builds the one `ScanPath`;
 * the service, the screen and health take the event types from here, never the checker.
 * @module
 */
export { ScanPath, scansNeedIds, type ScanIdPolicy, type ScanPathParts } from './scan-path.js';
/** The longest text the path takes as a code (a longer line needs only its beginning to be MALFORMED). */
export { MAX_QR_TEXT } from '../codec/qr-text.js';
export type { Answer } from './operator-desk.js';
export { OnceOnlyReports, type OnceOnlyReportEvents } from './once-only-reports.js';
export { afterAnswer, answerFeedback, conflictAuditEntry } from './after-check-rules.js';
export { TypedEmitter, type EventMap, type Subscriber } from './typed-emitter.js';
export { NO_LOG, type PathLogger, type Place } from './place.js';
export type {
  ActionSource,
  AnswerGiven,
  CheckTime,
  DecisionChange,
  DecisionKind,
  DecisionResult,
  OperatorAction,
  PathFault,
  ScanHandled,
  ScanOrigin,
  ScanPathEvents,
  ScanResult,
  StoreFault,
} from './scan-path-events.js';
