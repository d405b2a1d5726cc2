/**
 * The appliance's Prometheus metrics, in a registry of its own (never prom-client's global one,
 * so two services in one process, or a test, never share counters).
 *
 * Label values come from closed sets (verdicts, reason codes), and every one starts at zero, so
 * a scrape shows the whole vocabulary and `rate()` works from the first scan. The list age is
 * computed at scrape time from the manifest `iat`, so it grows between syncs as it really does;
 * a unit that never verified a list reports +Inf, so an alert on age fires for it too.
 * @module
 */
import client from 'prom-client';
import type { Clock } from '../core/time.js';
import { systemClock } from '../core/time.js';
import { REASON_CODES, type ReasonCode, type Verdict } from '../core/reasons.js';

/** What the metrics need from a scan result (a `ScanResult` fits). */
export interface MeteredResult {
  verdict: Verdict;
  reasons: readonly ReasonCode[];
  /** Check latency, milliseconds. */
  ms: number;
}

export interface ScanMetricsOptions {
  /** Clock for the list age (default the system clock). */
  clock?: Clock;
  /** Also export Node.js process metrics (memory, CPU, event-loop lag); default true. */
  processMetrics?: boolean;
  /** The package version, for `roadscan_build_info`. */
  version?: string;
}

const VERDICTS: readonly Verdict[] = ['accept', 'warn', 'reject'];
const REASONS: ReadonlySet<string> = new Set(REASON_CODES);

export class ScanMetrics {
  readonly registry = new client.Registry();
  private readonly scans;
  private readonly reasons;
  private readonly latency;
  private readonly syncFailures;
  private readonly reconnects;
  private readonly uploadFailures;
  private readonly storageFailures;
  private readonly auditLost;
  private auditUnwritten: () => number = () => 0;
  private readonly reloadFailures;
  private listEntries = 0;
  private calendarNextYearMissing: () => boolean = () => false;
  private signedDocuments: () => readonly { name: string; secondsLeft: number | null }[] = () => [];
  private listIatSec: number | null = null;
  private auditPending = 0;
  private clockReliable = true;

  constructor(opts: ScanMetricsOptions = {}) {
    const clock = opts.clock ?? systemClock;
    const registers = [this.registry];
    this.scans = new client.Counter({ name: 'roadscan_scans_total', help: 'Scans by verdict.', labelNames: ['verdict'], registers });
    this.reasons = new client.Counter({
      name: 'roadscan_scan_reasons_total',
      help: 'Reason codes carried by scans.',
      labelNames: ['reason'],
      registers,
    });
    this.latency = new client.Histogram({
      name: 'roadscan_verify_duration_seconds',
      help: 'Time to check one scanned code, from text to verdict.',
      buckets: [0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 1],
      registers,
    });
    for (const v of VERDICTS) this.scans.inc({ verdict: v }, 0);
    for (const r of REASON_CODES) this.reasons.inc({ reason: r }, 0);
    this.syncFailures = new client.Counter({ name: 'roadscan_sync_failures_total', help: 'Failed status-list syncs.', registers });
    this.reconnects = new client.Counter({
      name: 'roadscan_scanner_reconnects_total',
      help: 'Times the barcode scanner was reopened after it was lost.',
      registers,
    });
    this.uploadFailures = new client.Counter({
      name: 'roadscan_audit_upload_failures_total',
      help: 'Failed audit upload rounds.',
      registers,
    });
    this.storageFailures = new client.Counter({
      name: 'roadscan_storage_write_failures_total',
      help: 'Failed writes to the database, by store (audit, boarding); each retried until the disk takes it.',
      labelNames: ['store'],
      registers,
    });
    for (const store of ['audit', 'boarding']) this.storageFailures.inc({ store }, 0);
    this.auditLost = new client.Counter({
      name: 'roadscan_audit_records_lost_total',
      help: 'Audit records given up after the disk refused them for too long (never acknowledged).',
      registers,
    });
    this.reloadFailures = new client.Counter({
      name: 'roadscan_reload_failures_total',
      help: 'Trust lists or rules data received or changed under the running service that could not be used (the service kept what it had).',
      labelNames: ['what'],
      registers,
    });
    const self = this;
    new client.Gauge({
      name: 'roadscan_audit_unwritten_records',
      help: 'Audit records of scans already shown but not yet durable on disk.',
      registers,
      collect() {
        this.set(self.auditUnwritten());
      },
    });
    new client.Gauge({
      name: 'roadscan_status_list_entries',
      help: 'Entries in the status list held.',
      registers,
      collect() {
        this.set(self.listEntries);
      },
    });
    new client.Gauge({
      name: 'roadscan_status_list_age_seconds',
      help: 'Age of the last verified manifest (iat); +Inf when no list was ever verified.',
      registers,
      collect() {
        if (self.listIatSec === null) this.set(Number.POSITIVE_INFINITY);
        else this.set(Math.max(0, clock.now() / 1000 - self.listIatSec));
      },
    });
    new client.Gauge({
      name: 'roadscan_audit_pending_records',
      help: 'Audit records not yet acknowledged by the collector.',
      registers,
      collect() {
        this.set(self.auditPending);
      },
    });
    new client.Gauge({
      name: 'roadscan_clock_reliable',
      help: '1 when the system clock agrees with the clock floor, 0 when scans carry CLOCK_UNRELIABLE.',
      registers,
      collect() {
        this.set(self.clockReliable ? 1 : 0);
      },
    });
    new client.Gauge({
      name: 'roadscan_build_info',
      help: 'Always 1; the labels say which software runs.',
      labelNames: ['version', 'node'],
      registers,
    }).set({ version: opts.version ?? 'unknown', node: process.versions.node }, 1);
    new client.Gauge({
      name: 'roadscan_calendar_next_year_missing',
      help: "1 from 1 November (CST) while next year's working-day schedule is not among the calendar's years (docs/STATUS-LIST.md).",
      registers,
      collect() {
        let missing = false;
        try {
          missing = self.calendarNextYearMissing();
        } catch {
          missing = false;
        }
        this.set(missing ? 1 : 0);
      },
    });
    new client.Gauge({
      name: 'roadscan_signed_document_expires_in_seconds',
      help: 'Seconds until each signed document held (trust list, rules data) passes its expires (spec 1.2); negative once past, -Inf without expires. Below 0, scans carry TRUST_STALE.',
      labelNames: ['document'],
      registers,
      collect() {
        this.reset();
        let docs: readonly { name: string; secondsLeft: number | null }[] = [];
        try {
          docs = self.signedDocuments();
        } catch {
          docs = [];
        }
        for (const d of docs) this.set({ document: d.name }, d.secondsLeft ?? Number.NEGATIVE_INFINITY);
      },
    });
    // Under their standard names (process_cpu_seconds_total, nodejs_eventloop_lag_seconds...), as dashboards expect.
    if (opts.processMetrics ?? true) client.collectDefaultMetrics({ register: this.registry });
  }

  /** Counts one scan: its verdict, each of its reasons and its latency. */
  observeScan(result: MeteredResult): void {
    this.scans.inc({ verdict: VERDICTS.includes(result.verdict) ? result.verdict : 'reject' });
    for (const r of result.reasons) if (REASONS.has(r)) this.reasons.inc({ reason: r });
    if (Number.isFinite(result.ms) && result.ms >= 0) this.latency.observe(result.ms / 1000);
    this.clockReliable = !result.reasons.includes('CLOCK_UNRELIABLE');
  }

  /** How to tell, at each scrape, whether next year's schedule is missing (by the check clock). */
  watchCalendar(nextYearMissing: () => boolean): void {
    this.calendarNextYearMissing = nextYearMissing;
  }

  /** How to tell, at each scrape, the signed documents held and the seconds until each expires. */
  watchSigned(docs: () => readonly { name: string; secondsLeft: number | null }[]): void {
    this.signedDocuments = docs;
  }

  /** The status list now held: its size and the `iat` of its manifest (null: never verified). */
  setList(list: { entries: number; iatSec: number | null }): void {
    this.listEntries = list.entries;
    this.listIatSec = list.iatSec;
  }

  syncFailed(): void {
    this.syncFailures.inc();
  }

  scannerReconnected(): void {
    this.reconnects.inc();
  }

  /** A file or a sync brought something the running service cannot use; it kept what it had. */
  reloadFailed(what: 'trust' | 'rules'): void {
    this.reloadFailures.inc({ what });
  }

  uploadFailed(): void {
    this.uploadFailures.inc();
  }

  setAuditPending(records: number): void {
    this.auditPending = records;
  }

  /** A write to a store failed (storage-health.ts). */
  storageFailed(store: string): void {
    this.storageFailures.inc({ store });
  }

  auditRecordsLost(n: number): void {
    if (n > 0) this.auditLost.inc(n);
  }

  /** Where the count of records not yet durable comes from, read at each scrape. */
  watchAuditUnwritten(count: () => number): void {
    this.auditUnwritten = count;
  }

  setClockReliable(reliable: boolean): void {
    this.clockReliable = reliable;
  }

  /** The Prometheus text exposition of every metric. */
  text(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
