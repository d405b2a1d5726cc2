/**
 * The device loop: frames and scanner states in, indicator patterns out. Every frame goes to the
 * scan path (scan-path/), which checks, records and tells its subscribers; this loop is one of
 * them: it plays the verdict's pattern the moment the `scan` event comes (the record is already
 * handed to the audit sink then: docs/DESIGN.md, Feedback and Faults), and the reject pattern for
 * an operator's answer that turned into a refusal.
 *
 * The background alert follows the storage state first (its own pattern: records not being
 * kept), then the scanner's state and the age of the status list (amber blinking). The confirm
 * and refuse buttons, and the simulator's keys, answer the scan path's desk.
 *
 * It tells its own two kinds of event (the scanner's state, what the indicator shows) to whoever
 * subscribes (`--events json`, metrics, the screen's status strip); it knows none of them.
 * @module
 */
import type { Buttons, ButtonPress } from '../../hal/buttons/index.js';
import {
  blinkTimeline,
  patternFor,
  storageAlertTimeline,
  type FeedbackConfig,
  type Indicator,
  type IndicatorOutputEvent,
  type Timeline,
} from '../../hal/indicator/index.js';
import type { DroppedFrame, ScanFrame, Scanner, ScannerState, ScannerStateChange } from '../../hal/scanner/index.js';
import { NO_LOG, TypedEmitter, type AnswerGiven, type PathLogger, type ScanHandled, type ScanPath } from '../scan-path/index.js';

export interface ApplianceParts {
  scanner: Scanner;
  indicator: Indicator;
  feedback: FeedbackConfig;
  /** Where every frame goes; its events drive the patterns. */
  path: ScanPath;
  /** Whether records are being kept (the storage alert); its changes re-evaluate the alert. */
  storage?: { readonly ok: boolean; onChange(fn: () => void): void };
  /** Whether the status list is out of date now (amber blinking); never stale when absent. */
  listStale?(): boolean;
  /** The confirm and refuse buttons, opened and closed with the appliance. */
  buttons?: Buttons | null;
  /**
   * The simulator's keys: a frame that is a key (`c`, `r`) is a button press, not a code.
   * Returns whether the text was a key.
   */
  keys?: (text: string) => boolean;
  logger?: PathLogger;
  /** How often the list age is re-evaluated for the alert, ms (default 30 000). */
  statusPollMs?: number;
}

export interface ApplianceEvents {
  /** The scanner's state changed; `reconnected`: it is open again after being lost. */
  scanner: { state: ScannerState; reconnected: boolean };
  /** What the LEDs and buzzer show now. */
  indicator: IndicatorOutputEvent;
}

export class Appliance extends TypedEmitter<ApplianceEvents> {
  private readonly p: ApplianceParts;
  private readonly log: PathLogger;
  private readonly patterns: Record<'accept' | 'warn' | 'reject', Timeline>;
  private readonly alert: Timeline;
  private readonly storageAlert = storageAlertTimeline();
  private alerting: 'none' | 'device' | 'storage' = 'none';
  private everOpened = false;
  private lostSinceOpen = false;
  private poll: NodeJS.Timeout | null = null;
  private running = false;
  /** The indicator is open: a scan read before the stop still gets its pattern. */
  private lit = false;
  private readonly onFrame = (frame: ScanFrame): void => this.handleFrame(frame);
  private readonly onState = (change: ScannerStateChange): void => this.handleState(change);
  /** A refused picture says which and why (`detail`): a stranger's file name, made one safe, bounded line by the logger. */
  private readonly onDropped = (d: DroppedFrame): void =>
    this.log.warn({ reason: d.reason, bytes: d.bytes, ...(d.detail === undefined ? {} : { detail: d.detail }) }, 'scanner frame dropped');
  private readonly onOutput = (o: IndicatorOutputEvent): void => this.emit('indicator', o);
  /** The simulator's buttons are its keyboard; any other driver is the two buttons on the unit. */
  private readonly onPress = (press: ButtonPress): void => void this.p.path.act(press.button, this.p.buttons?.name === 'sim' ? 'keyboard' : 'buttons');
  private readonly onButtonFault = (f: { button: string; message: string }): void => this.log.warn({ button: f.button, err: f.message }, 'button fault');

  constructor(parts: ApplianceParts) {
    const log = parts.logger ?? NO_LOG;
    super((event, err) => log.warn({ part: String(event), err: (err as Error)?.message ?? String(err) }, 'side output failed'));
    this.p = parts;
    this.log = log;
    this.patterns = {
      accept: patternFor('accept', parts.feedback),
      warn: patternFor('warn', parts.feedback),
      reject: patternFor('reject', parts.feedback),
    };
    this.alert = blinkTimeline(parts.feedback.alert);
    // The first subscriber the host adds after `--events`: the pattern starts before any other output is told.
    parts.path.on('scan', (s: ScanHandled) => this.playVerdict(s));
    parts.path.on('answer', (a: AnswerGiven) => this.playAnswer(a));
    // After the scan in hand has its pattern: a storage change during a scan must not light the alert first.
    parts.storage?.onChange(() => queueMicrotask(() => this.refreshAlert()));
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
    this.lit = true;
    if (this.p.buttons) {
      try {
        await this.p.buttons.open();
      } catch (err) {
        this.lit = false;
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
    this.poll = setInterval(() => this.refreshAlert(), this.p.statusPollMs ?? 30_000);
    this.poll.unref();
  }

  /** Stops reading, lets the scans in hand finish, lets no new pattern start, and leaves the LEDs dark. */
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
    await this.p.path.idle();
    this.lit = false;
    await this.p.indicator.close();
    this.p.indicator.off('output', this.onOutput);
  }

  private playVerdict(s: ScanHandled): void {
    if (!this.lit) return;
    this.p.indicator.play(this.patterns[s.result.verdict]);
    this.refreshAlert();
  }

  /** The feedback of an operator's answer that turned out to be a refusal (a voucher already given). */
  private playAnswer(a: AnswerGiven): void {
    if (this.running && a.feedback) this.p.indicator.play(this.patterns[a.feedback]);
  }

  private handleFrame(frame: ScanFrame): void {
    if (!this.running) return;
    if (this.p.keys?.(frame.text)) return;
    this.p.path.handle(frame.text, 'device').catch((err: unknown) => this.log.error({ err: (err as Error)?.message ?? String(err) }, 'scan failed'));
  }

  private handleState(change: ScannerStateChange): void {
    if (!this.running) return;
    let reconnected = false;
    if (change.state === 'open') {
      reconnected = this.everOpened && this.lostSinceOpen;
      this.everOpened = true;
      this.lostSinceOpen = false;
      this.log.info({ scanner: this.p.scanner.name }, 'scanner open');
    } else {
      if (this.everOpened) this.lostSinceOpen = true;
      this.log.warn({ scanner: this.p.scanner.name, state: change.state, detail: change.detail }, 'scanner not available');
    }
    this.emit('scanner', { state: change.state, reconnected });
    this.refreshAlert();
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
}
