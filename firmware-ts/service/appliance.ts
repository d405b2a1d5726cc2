/**
 * The appliance service: the wiring of DESIGN.md's one-way flow, frame -> check -> audit ->
 * feedback, events, metrics and screen. It decides nothing itself; each part is given to the
 * constructor, so tests build it with real parts and simulated drivers, and `roadscan run`
 * builds it from configuration.
 *
 * Order matters on every scan: the audit record is written (synchronously, durably) before the
 * feedback pattern starts, so a check the officer saw is always a check on record, even if the
 * power goes the moment the LED lights. The background alert (amber blinking) follows the
 * scanner's state and the age of the status list.
 * @module
 */
import type { CheckTime } from '../core/time.js';
import type { AuditEntry } from '../audit/audit-log.js';
import type { ScanResult } from '../scan/scan-checker.js';
import type { ScreenStatus } from '../screen/screen-view.js';
import type { Indicator, IndicatorOutputEvent } from '../../hal/indicator/indicator.js';
import { blinkTimeline, patternFor, type FeedbackConfig, type Timeline } from '../../hal/indicator/patterns.js';
import type { DroppedFrame, ScanFrame, Scanner, ScannerState, ScannerStateChange } from '../../hal/scanner/scanner.js';
import { scanEvent, indicatorEvent, scannerEvent, type ApplianceEvent } from './appliance-events.js';

/** Where the scanner stands, as the audit log records it. */
export interface Place {
  profile: string;
  region: string;
  station: string | null;
}

/** The few logger methods the service uses (a pino logger fits). */
export interface ServiceLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export interface ApplianceParts {
  scanner: Scanner;
  indicator: Indicator;
  checker: { check(text: string, time: CheckTime): ScanResult };
  /** The instant a scan is checked at (clock floor over the system clock, or `--now`). */
  time(): CheckTime;
  /** The audit log; `record` is synchronous and durable. */
  audit: { record(entry: AuditEntry): number };
  place: Place;
  feedback: FeedbackConfig;
  /** Told once a scan is on record (the clock floor learns from it). */
  onScanLogged?(time: CheckTime): void;
  /** Whether the status list is out of date now (amber blinking); never stale when absent. */
  listStale?(): boolean;
  /** Everything the operator screen's status strip shows except the scanner's state. */
  screenStatus?(): Omit<ScreenStatus, 'scanner'>;
  metrics?: {
    observeScan(result: ScanResult): void;
    scannerReconnected(): void;
  };
  screen?: {
    publishScan(result: ScanResult, meta: { atSec: number; profile: string }): void;
    publishStatus(status: ScreenStatus): void;
  };
  /** Receives every event (`--events json`, the demo's terminal lines). */
  onEvent?(event: ApplianceEvent): void;
  logger?: ServiceLogger;
  /** How often the list age is re-evaluated for the alert, ms (default 30 000). */
  statusPollMs?: number;
}

const NO_LOG: ServiceLogger = { info() {}, warn() {}, error() {} };

export class Appliance {
  private readonly p: ApplianceParts;
  private readonly log: ServiceLogger;
  private readonly patterns: Record<'accept' | 'warn' | 'reject', Timeline>;
  private readonly alert: Timeline;
  private alerting = false;
  private everOpened = false;
  private lostSinceOpen = false;
  private poll: NodeJS.Timeout | null = null;
  private running = false;
  private scans = 0;
  private readonly onFrame = (frame: ScanFrame): void => this.handleFrame(frame);
  private readonly onState = (change: ScannerStateChange): void => this.handleState(change);
  private readonly onDropped = (d: DroppedFrame): void => this.log.warn({ reason: d.reason, bytes: d.bytes }, 'scanner frame dropped');
  private readonly onOutput = (o: IndicatorOutputEvent): void => this.emit(indicatorEvent(o));

  constructor(parts: ApplianceParts) {
    this.p = parts;
    this.log = parts.logger ?? NO_LOG;
    this.patterns = {
      accept: patternFor('accept', parts.feedback),
      warn: patternFor('warn', parts.feedback),
      reject: patternFor('reject', parts.feedback),
    };
    this.alert = blinkTimeline(parts.feedback.alert);
  }

  /** Scans handled since start. */
  get scanCount(): number {
    return this.scans;
  }

  get scannerState(): ScannerState {
    return this.p.scanner.state;
  }

  /**
   * Opens the indicator (a line that cannot be had is a start-up error), then the scanner
   * (an absent scanner is not: it is retried and the alert blinks meanwhile).
   */
  async start(): Promise<void> {
    if (this.running) return;
    await this.p.indicator.open();
    this.running = true;
    this.p.indicator.on('output', this.onOutput);
    this.p.scanner.on('frame', this.onFrame);
    this.p.scanner.on('state', this.onState);
    this.p.scanner.on('dropped', this.onDropped);
    await this.p.scanner.start();
    this.refreshAlert();
    this.publishStatus();
    this.poll = setInterval(() => {
      this.refreshAlert();
      this.publishStatus();
    }, this.p.statusPollMs ?? 30_000);
    this.poll.unref();
  }

  /** Stops reading, lets no new pattern start, and leaves the LEDs dark. */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    if (this.poll) clearInterval(this.poll);
    this.poll = null;
    this.p.scanner.off('frame', this.onFrame);
    this.p.scanner.off('state', this.onState);
    this.p.scanner.off('dropped', this.onDropped);
    await this.p.scanner.stop();
    await this.p.indicator.close();
    this.p.indicator.off('output', this.onOutput);
  }

  /** Handles one code as if it had been scanned (the demo's pasted codes go through the scanner instead). */
  handleText(text: string): ScanResult {
    const time = this.p.time();
    const result = this.p.checker.check(text, time);
    try {
      this.p.audit.record({ atSec: time.nowSec, reliable: time.reliable, ...this.p.place, result });
      this.p.onScanLogged?.(time);
    } catch (err) {
      // The officer still gets the answer; the missing record is an error for the operator.
      this.log.error({ err: (err as Error).message }, 'audit record failed');
    }
    this.scans++;
    this.emit(scanEvent(result));
    this.p.indicator.play(this.patterns[result.verdict]);
    this.log.info({ verdict: result.verdict, reasons: result.reasons, type: result.type, ms: result.ms }, 'scan');
    this.guard('metrics', () => this.p.metrics?.observeScan(result));
    this.guard('screen', () => this.p.screen?.publishScan(result, { atSec: time.nowSec, profile: this.p.place.profile }));
    this.refreshAlert();
    return result;
  }

  private handleFrame(frame: ScanFrame): void {
    if (!this.running) return;
    this.handleText(frame.text);
  }

  private handleState(change: ScannerStateChange): void {
    if (!this.running) return;
    if (change.state === 'open') {
      if (this.everOpened && this.lostSinceOpen) this.p.metrics?.scannerReconnected();
      this.everOpened = true;
      this.lostSinceOpen = false;
      this.log.info({ scanner: this.p.scanner.name }, 'scanner open');
    } else {
      if (this.everOpened) this.lostSinceOpen = true;
      this.log.warn({ scanner: this.p.scanner.name, state: change.state, detail: change.detail }, 'scanner not available');
    }
    this.emit(scannerEvent(change.state));
    this.refreshAlert();
    this.publishStatus();
  }

  private refreshAlert(): void {
    if (!this.running) return;
    const stale = this.p.listStale?.() ?? false;
    const lost = this.p.scanner.state !== 'open';
    const alerting = stale || lost;
    if (alerting === this.alerting) return;
    this.alerting = alerting;
    this.p.indicator.setBackground(alerting ? this.alert : null);
  }

  private publishStatus(): void {
    const { screen, screenStatus } = this.p;
    if (!screen || !screenStatus) return;
    this.guard('screen', () => screen.publishStatus({ ...screenStatus(), scanner: this.p.scanner.state }));
  }

  private emit(event: ApplianceEvent): void {
    this.guard('events', () => this.p.onEvent?.(event));
  }

  /** Side outputs (screen, metrics, events) must never break the scan path. */
  private guard(part: string, fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.log.warn({ part, err: (err as Error)?.message ?? String(err) }, 'side output failed');
    }
  }
}
