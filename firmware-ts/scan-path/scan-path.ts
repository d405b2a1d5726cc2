/**
 * What happens to a QR text after it is read, in one place for every way one comes in (the
 * appliance's scanner and camera, `roadscan verify`, the demo, the benchmarks), docs/DESIGN.md's
 * one-way flow: check -> once-only step -> record -> events.
 *
 * Order on every scan (docs/DESIGN.md, Feedback and Faults): the pure check, then at a gate or a
 * window the once-only step (ALREADY_BOARDED, VOUCHER_ISSUED and STATION_OFFLINE come from the
 * store's answer), then the record handed to the audit sink (audit-writer.ts makes it durable off
 * the event loop, well before the feedback pattern ends), then the `scan` event, which the device
 * loop turns into the pattern at once. A failing record never changes the verdict: it is a
 * `fault` event (a storage fault on the unit). Scans are handled one after another, in the order
 * they came, even while a store is slow.
 *
 * A decision the scan leaves open waits at the operator desk (operator-desk.ts), which the
 * buttons, the screen, the simulator's keys and `verify --confirm` answer through `act`.
 * @module
 */
import type { AuditSink } from '../audit/audit-log.js';
import type { CheckTime } from '../core/time.js';
import type { ScanResult } from '../scan/scan-checker.js';
import { newScanId, type OnceOnlyStage, type OperatorAction, type PendingDecision } from '../station/once-only-stage.js';
import { conflictAuditEntry } from './after-check-rules.js';
import type { OnceOnlyReports } from './once-only-reports.js';
import { OperatorDesk, type Answer } from './operator-desk.js';
import { NO_LOG, type PathLogger, type Place } from './place.js';
import type { ActionSource, ScanOrigin, ScanPathEvents } from './scan-path-events.js';
import { TypedEmitter } from './typed-emitter.js';

export interface ScanPathParts {
  checker: { check(text: string, time: CheckTime): ScanResult };
  /** The instant a scan is checked at (clock floor over the system clock, or `--now`). */
  time(): CheckTime;
  /** Where each scan's record goes (an AuditWriter in the service, an AuditLog elsewhere); null: none kept. */
  audit: AuditSink | null;
  place: Place;
  /** The once-only step of a gate or a window and what its store reports; absent: scans are only checked. */
  onceOnly?: { stage: OnceOnlyStage; reports: OnceOnlyReports } | null;
  /** How long a decision stays open after its scan, ms (default 30 000, the screen's clearAfterSec). */
  lapseMs?: number;
  logger?: PathLogger;
  /**
   * Which scans get an id (`newScanId()`, random bytes: about 16 µs a call). `every-scan`, the
   * default, for anything that shows or answers scans (the service, even with its audit log off:
   * the screen, `--events`, decisions). `when-kept` for a command that only prints verdicts: an id
   * only when something carries it (a record, a once-only claim, a decision at the desk).
   */
  scanIds?: ScanIdPolicy;
}

export type ScanIdPolicy = 'every-scan' | 'when-kept';

/**
 * Whether each scan of a path needs an id: always unless the path was told `when-kept`; then only
 * when a record (audit sink), a once-only claim or a decision (the desk comes with the once-only
 * step) will name it. Written once, here, so no service that shows scans gets one without an id.
 */
export function scansNeedIds(p: Pick<ScanPathParts, 'scanIds' | 'audit' | 'onceOnly'>): boolean {
  return p.scanIds !== 'when-kept' || p.audit !== null || (p.onceOnly ?? null) !== null;
}

export class ScanPath extends TypedEmitter<ScanPathEvents> {
  private readonly log: PathLogger;
  private readonly desk: OperatorDesk | null;
  private sinkFailing = false;
  private handled = 0;
  /** Scans in the order they came: the next one starts when the previous one is on record. */
  private queue: Promise<unknown> = Promise.resolve();
  private readonly unsubscribe: (() => void)[] = [];
  /** scansNeedIds, fixed when the path is made (its sink and step never change). */
  private readonly namesScans: boolean;

  constructor(private readonly p: ScanPathParts) {
    const log = p.logger ?? NO_LOG;
    super((event, err) => log.warn({ part: String(event), err: (err as Error)?.message ?? String(err) }, 'side output failed'));
    this.log = log;
    this.namesScans = scansNeedIds(p);
    const once = p.onceOnly ?? null;
    this.desk = once
      ? new OperatorDesk({
          stage: once.stage,
          audit: p.audit,
          place: p.place,
          time: p.time,
          lapseMs: p.lapseMs ?? 30_000,
          onDecision: (d) => this.emit('decision', d),
          onAnswer: (a) => this.emit('answer', a),
          logger: log,
        })
      : null;
    if (once) {
      this.unsubscribe.push(
        once.reports.on('fault', (fault) => this.emit('fault', { part: 'once-only', state: 'failing', fault })),
        once.reports.on('recovered', () => this.emit('fault', { part: 'once-only', state: 'recovered' })),
        once.reports.on('conflict', (c) =>
          this.record(conflictAuditEntry(c, p.place, p.time().reliable), 'station conflict not written to the audit log', c.ours.scanId),
        ),
      );
    }
  }

  get place(): Place {
    return this.p.place;
  }

  /** Scans handled since the path was made. */
  get scanCount(): number {
    return this.handled;
  }

  /** Whether scans here can leave a decision to the operator (a gate or a window). */
  get hasDesk(): boolean {
    return this.desk !== null;
  }

  /** The decision waiting for an answer, if any. */
  get pending(): PendingDecision | null {
    return this.desk?.pending ?? null;
  }

  /** Checks one text after every text handed in before it; resolves with the verdict once it is on record. */
  handle(text: string, origin: ScanOrigin): Promise<ScanResult> {
    const done = this.queue.then(() => this.handleNow(text, origin));
    this.queue = done.catch(() => undefined);
    return done;
  }

  /** Answers the pending decision (null: none, or not the scan named); its row is written before anyone is told. */
  act(action: OperatorAction, source: ActionSource, scanId?: string): Promise<Answer | null> {
    return this.desk ? this.desk.act(action, source, scanId) : Promise.resolve(null);
  }

  /** Resolves once every text handed in so far is handled (tests, shutdown). */
  async idle(): Promise<void> {
    await this.queue;
  }

  /** Waits for the scans in hand, then forgets the pending decision and stops listening to the store. */
  async close(): Promise<void> {
    await this.queue;
    this.desk?.drop();
    for (const off of this.unsubscribe.splice(0)) off();
  }

  private async handleNow(text: string, origin: ScanOrigin): Promise<ScanResult> {
    const time = this.p.time();
    // null only on a `when-kept` path that keeps nothing (a roadside `roadscan verify`): no record, claim or decision to name.
    const scanId = this.namesScans ? newScanId() : null;
    const checked = this.p.checker.check(text, time);
    // The once-only step never throws and never turns a verdict MALFORMED (a failing store is a fault it reports).
    const stage = this.p.onceOnly?.stage;
    const step = stage && scanId ? await stage.apply(checked, { scanId, nowSec: time.nowSec }) : { result: checked, decision: null };
    const result = step.result;
    if (scanId) this.recordScan({ atSec: time.nowSec, reliable: time.reliable, ...this.p.place, result, scanId });
    this.handled++;
    this.emit('scan', { scanId, origin, result, time, place: this.p.place });
    this.desk?.offer(step.decision, result);
    // After the feedback started: the log line must not delay it.
    this.log.info({ verdict: result.verdict, reasons: result.reasons, type: result.type, ms: result.ms, scanId }, 'scan');
    return result;
  }

  /** The scan's record: a sink that throws is a fault (the officer still gets the answer the credential earns). */
  private recordScan(entry: Parameters<AuditSink['submit']>[0]): void {
    if (!this.p.audit) return;
    try {
      this.p.audit.submit(entry);
      if (this.sinkFailing) {
        this.sinkFailing = false;
        this.emit('fault', { part: 'audit', state: 'recovered' });
      }
    } catch (err) {
      const message = (err as Error)?.message ?? String(err);
      this.sinkFailing = true;
      this.log.error({ err: message }, 'audit record failed');
      this.emit('fault', { part: 'audit', state: 'failing', message });
    }
  }

  private record(entry: Parameters<AuditSink['submit']>[0], failure: string, scanId: string | null | undefined): void {
    try {
      this.p.audit?.submit(entry);
    } catch (err) {
      this.log.error({ err: (err as Error).message, scanId }, failure);
    }
  }
}
