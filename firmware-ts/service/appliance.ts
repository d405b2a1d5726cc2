/**
 * The appliance service: the wiring of docs/DESIGN.md's one-way flow, frame -> check -> audit ->
 * feedback, events, metrics and screen. It decides nothing itself; each part is given to the
 * constructor, so tests build it with real parts and simulated drivers, and `roadscan run`
 * builds it from configuration.
 *
 * Order on every scan (docs/DESIGN.md, Feedback and Faults): the check, then the record handed to the
 * audit sink (audit-writer.ts makes it durable off the event loop, well before the feedback
 * pattern ends), then at once the verdict event, the LEDs, the buzzer and the screen. The disk's
 * flush is never the officer's wait, and a failing write never changes the verdict: it is a
 * storage fault (storage-health.ts), shown by its own alert pattern, the screen and `/healthz`.
 * The background alert follows the storage state first, then the scanner's state and the age of
 * the status list (amber blinking).
 *
 * At a gate or a window the once-only step (station/once-only-stage.ts) runs between the check
 * and the audit record, so ALREADY_BOARDED, VOUCHER_ISSUED and STATION_OFFLINE come from the
 * store's answer; scans are handled one after another, in the order they were read, even while a
 * store is slow. A decision the scan leaves open goes to the operator desk, which the buttons, the
 * screen and the simulator's keys answer.
 * @module
 */
import type { CheckTime } from '../core/time.js';
import type { AuditSink } from '../audit/audit-log.js';
import type { ScanResult } from '../scan/scan-checker.js';
import type { ScreenStatus } from '../screen/screen-view.js';
import type { Buttons, ButtonPress } from '../../hal/buttons/index.js';
import type { Indicator, IndicatorOutputEvent } from '../../hal/indicator/indicator.js';
import { newScanId, type OnceOnlyStage } from '../station/once-only-stage.js';
import type { OperatorDesk } from './operator-desk.js';
import { blinkTimeline, patternFor, storageAlertTimeline, type FeedbackConfig, type Timeline } from '../../hal/indicator/patterns.js';
import type { DroppedFrame, ScanFrame, Scanner, ScannerState, ScannerStateChange } from '../../hal/scanner/scanner.js';
import { scanEvent, indicatorEvent, scannerEvent, type ApplianceEvent } from './appliance-events.js';
import type { Place, ServiceLogger } from './service-types.js';

export type { Place, ServiceLogger } from './service-types.js';

export interface ApplianceParts {
  scanner: Scanner;
  indicator: Indicator;
  checker: { check(text: string, time: CheckTime): ScanResult };
  /** The instant a scan is checked at (clock floor over the system clock, or `--now`). */
  time(): CheckTime;
  /** Where each scan's record goes (an AuditWriter in the service, an AuditLog in tests). */
  audit: AuditSink;
  /** Whether records are being kept; an audit sink that throws is reported here as a fault. */
  storage?: { readonly ok: boolean; fail(source: string, error: string): void; recover(source: string): void };
  place: Place;
  feedback: FeedbackConfig;
  /** Told of each scan once its record is handed over and its feedback started (the clock floor learns from it). */
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
  /** The once-only step (gates and windows); absent: scans are only checked. */
  onceOnly?: OnceOnlyStage;
  /** Where decisions wait for the operator; needed for `buttons` to do anything. */
  desk?: OperatorDesk;
  /** The confirm and refuse buttons, opened and closed with the appliance. */
  buttons?: Buttons | null;
  /**
   * The simulator's keys: a frame that is a key (`c`, `r`) is a button press, not a code.
   * Returns whether the text was a key.
   */
  keys?: (text: string) => boolean;
}

const NO_LOG: ServiceLogger = { info() {}, warn() {}, error() {} };

export class Appliance {
  private readonly p: ApplianceParts;
  private readonly log: ServiceLogger;
  private readonly patterns: Record<'accept' | 'warn' | 'reject', Timeline>;
  private readonly alert: Timeline;
  private readonly storageAlert = storageAlertTimeline();
  private alerting: 'none' | 'device' | 'storage' = 'none';
  private syncSinkFailing = false;
  private everOpened = false;
  private lostSinceOpen = false;
  private poll: NodeJS.Timeout | null = null;
  private running = false;
  private scans = 0;
  private readonly onFrame = (frame: ScanFrame): void => this.handleFrame(frame);
  private readonly onState = (change: ScannerStateChange): void => this.handleState(change);
  private readonly onDropped = (d: DroppedFrame): void => this.log.warn({ reason: d.reason, bytes: d.bytes }, 'scanner frame dropped');
  private readonly onOutput = (o: IndicatorOutputEvent): void => this.emit(indicatorEvent(o));
  /** The simulator's buttons are its keyboard; any other driver is the two buttons on the unit. */
  private readonly onPress = (press: ButtonPress): void => void this.p.desk?.act(press.button, this.p.buttons?.name === 'sim' ? 'keyboard' : 'buttons');
  private readonly onButtonFault = (f: { button: string; message: string }): void => this.log.warn({ button: f.button, err: f.message }, 'button fault');
  /** Scans in the order they were read: the next one starts when the previous one is on record. */
  private queue: Promise<unknown> = Promise.resolve();

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
    if (this.p.buttons) {
      try {
        await this.p.buttons.open();
      } catch (err) {
        await this.p.indicator.close();
        throw err;
      }
      this.p.buttons.on('press', this.onPress);
      this.p.buttons.on('fault', this.onButtonFault);
    }
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
    if (this.p.buttons) {
      this.p.buttons.off('press', this.onPress);
      this.p.buttons.off('fault', this.onButtonFault);
      await this.p.buttons.close();
    }
    await this.queue;
    this.p.desk?.drop();
    await this.p.indicator.close();
    this.p.indicator.off('output', this.onOutput);
  }

  /** Resolves once every scan read so far is handled (tests, shutdown). */
  async idle(): Promise<void> {
    await this.queue;
  }

  /**
   * Handles one code as if it had been scanned (the demo's pasted codes go through the scanner
   * instead), after every scan read before it.
   */
  handleText(text: string): Promise<ScanResult> {
    const done = this.queue.then(() => this.handleNow(text));
    this.queue = done.catch(() => undefined);
    return done;
  }

  private async handleNow(text: string): Promise<ScanResult> {
    const time = this.p.time();
    const scanId = newScanId();
    const checked = this.p.checker.check(text, time);
    // The once-only step never throws and never turns a verdict MALFORMED (a failing store is a fault it reports).
    const step = this.p.onceOnly ? await this.p.onceOnly.apply(checked, { scanId, nowSec: time.nowSec }) : { result: checked, decision: null };
    const result = step.result;
    try {
      this.p.audit.submit({ atSec: time.nowSec, reliable: time.reliable, ...this.p.place, result, scanId });
      if (this.syncSinkFailing) {
        this.syncSinkFailing = false;
        this.p.storage?.recover('audit');
      }
    } catch (err) {
      // The officer still gets the answer the credential earns; the missing record is a storage fault.
      const message = (err as Error)?.message ?? String(err);
      this.syncSinkFailing = true;
      this.p.storage?.fail('audit', message);
      this.log.error({ err: message }, 'audit record failed');
    }
    this.scans++;
    this.emit(scanEvent(result));
    this.p.indicator.play(this.patterns[result.verdict]);
    this.guard('screen', () => this.p.screen?.publishScan(result, { atSec: time.nowSec, profile: this.p.place.profile }));
    this.p.desk?.offer(step.decision, result);
    // After the feedback started: these may touch the database (the clock floor) and must not delay it.
    this.log.info({ verdict: result.verdict, reasons: result.reasons, type: result.type, ms: result.ms, scanId }, 'scan');
    this.guard('metrics', () => this.p.metrics?.observeScan(result));
    this.guard('clock floor', () => this.p.onScanLogged?.(time));
    this.refreshAlert();
    return result;
  }

  /** Plays the feedback of an operator's answer that turned out to be a refusal (a voucher already given). */
  playAnswer(verdict: 'accept' | 'warn' | 'reject'): void {
    if (this.running) this.p.indicator.play(this.patterns[verdict]);
  }

  private handleFrame(frame: ScanFrame): void {
    if (!this.running) return;
    if (this.p.keys?.(frame.text)) return;
    this.handleText(frame.text).catch((err: unknown) => this.log.error({ err: (err as Error)?.message ?? String(err) }, 'scan failed'));
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

  /** Re-evaluates the alert and the status strip now (a store just failed or recovered). */
  refreshStatus(): void {
    this.refreshAlert();
    this.publishStatus();
  }

  private refreshAlert(): void {
    if (!this.running) return;
    const stale = this.p.listStale?.() ?? false;
    const lost = this.p.scanner.state !== 'open';
    const alerting = this.p.storage && !this.p.storage.ok ? 'storage' : stale || lost ? 'device' : 'none';
    if (alerting === this.alerting) return;
    this.alerting = alerting;
    this.p.indicator.setBackground(alerting === 'storage' ? this.storageAlert : alerting === 'device' ? this.alert : null);
  }

  private publishStatus(): void {
    const { screen, screenStatus } = this.p;
    if (!screen || !screenStatus) return;
    const records = this.p.storage && !this.p.storage.ok ? 'failing' : 'ok';
    this.guard('screen', () => screen.publishStatus({ ...screenStatus(), scanner: this.p.scanner.state, records }));
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
