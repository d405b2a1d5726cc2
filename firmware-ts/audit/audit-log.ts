/**
 * The audit log: what an inspector needs to account for every check, and nothing about the person.
 *
 * One row per scan: time, device, operator id, profile, region, station, verdict, reasons,
 * credential type, the status-list key, whether the clock was reliable and the check latency.
 * Never the displayed fields, names, ID numbers or plates: `record` takes the scan result but
 * copies only those columns, after checking each against its closed vocabulary.
 *
 * `record` is one synchronous INSERT in its own transaction on a WAL database with
 * synchronous=FULL: when it returns, the row is on disk. The running service does not wait for
 * that on the scan path: it hands records to audit-writer.ts, which commits them off the event
 * loop. Readers of this log (export, upload, counts) only ever see committed, durable rows. Sequence
 * numbers come from AUTOINCREMENT and are never reused, even after a purge, so an uploaded
 * (device, log id, seq) names one record forever. The log id is a random UUID made with the
 * table: a device whose database is replaced starts a new log instead of colliding with its past.
 *
 * An operator's decision (docs/DESIGN.md, "Operator actions") is a row of its own: the action
 * (confirm or refuse), where it came from (buttons, screen, keyboard) and what it did (a boarding
 * undone, a voucher recorded...), with the scan id of the scan it answers and that scan's verdict,
 * reasons, type and key, so an inspector reads the pair without joining anything.
 * @module
 */
import { randomUUID } from 'node:crypto';
import type { Db } from '../store/database.js';
import { migrate } from '../store/database.js';
import { REASON_CODES, type ReasonCode, type Verdict } from '../core/reasons.js';
import { auditRecordOf, type AuditRecord, type AuditRow } from './audit-record.js';
import { hasUnsafeText } from '../core/text-safety.js';

/** What the audit log needs from a scan result (a `ScanResult` fits). */
export interface AuditedResult {
  verdict: Verdict;
  reasons: readonly ReasonCode[];
  type: string | null;
  statusKey: string | null;
  ms: number;
}

export interface AuditEntry {
  /** The instant the checks used, seconds since the epoch. */
  atSec: number;
  /** False when the clock floor flagged the clock (the scan carries CLOCK_UNRELIABLE). */
  reliable: boolean;
  profile: string;
  region: string;
  station: string | null;
  result: AuditedResult;
  /** The scan's id (the once-only records carry it too); an action row names the scan it answers. */
  scanId?: string | null;
  /** Set on the row of an operator's decision. */
  action?: AuditedAction | null;
}

export const AUDIT_ACTIONS = ['confirm', 'refuse'] as const;
export const AUDIT_ACTION_SOURCES = ['buttons', 'screen', 'keyboard', 'command'] as const;
export const AUDIT_ACTION_RESULTS = [
  'boarding-kept',
  'boarding-undone',
  'boarding-not-held',
  'voucher-recorded',
  'voucher-already-issued',
  'nothing-recorded',
  'store-fault',
] as const;

/** An operator's decision on a scan, as the audit log keeps it. */
export interface AuditedAction {
  action: (typeof AUDIT_ACTIONS)[number];
  source: (typeof AUDIT_ACTION_SOURCES)[number];
  result: (typeof AUDIT_ACTION_RESULTS)[number];
}

export interface AuditMeta {
  deviceId: string;
  /** Operator id (never a name); '' when none is configured. */
  operator: string;
}

export interface PurgeOptions {
  /** Delete only records the collector acknowledged (set when an upload URL is configured). */
  requireAck?: boolean;
}

const MIGRATIONS = [
  `CREATE TABLE audit_log (
     seq INTEGER PRIMARY KEY AUTOINCREMENT,
     at_sec INTEGER NOT NULL,
     device_id TEXT NOT NULL,
     operator TEXT NOT NULL,
     profile TEXT NOT NULL,
     region TEXT NOT NULL,
     station TEXT,
     verdict TEXT NOT NULL CHECK (verdict IN ('accept', 'warn', 'reject')),
     reasons TEXT NOT NULL,
     type TEXT CHECK (type IS NULL OR type IN ('DL', 'VR', 'VA', 'VD', 'TK')),
     status_key TEXT CHECK (status_key IS NULL OR length(status_key) = 32),
     clock_reliable INTEGER NOT NULL CHECK (clock_reliable IN (0, 1)),
     ms REAL NOT NULL
   );
   CREATE INDEX audit_log_at ON audit_log (at_sec);
   CREATE TABLE audit_state (
     id INTEGER PRIMARY KEY CHECK (id = 1),
     log_id TEXT NOT NULL,
     acked_through INTEGER NOT NULL DEFAULT 0
   );`,
  // Operator decisions (issue 16): the scan id, and on an action row what the operator did.
  `ALTER TABLE audit_log ADD COLUMN scan_id TEXT CHECK (scan_id IS NULL OR length(scan_id) BETWEEN 1 AND 64);
   ALTER TABLE audit_log ADD COLUMN action TEXT CHECK (action IS NULL OR action IN ('confirm', 'refuse'));
   ALTER TABLE audit_log ADD COLUMN action_source TEXT;
   ALTER TABLE audit_log ADD COLUMN action_result TEXT;
   CREATE INDEX audit_log_scan ON audit_log (scan_id) WHERE scan_id IS NOT NULL;`,
];

const VERDICTS: ReadonlySet<string> = new Set(['accept', 'warn', 'reject']);
const TYPES: ReadonlySet<string> = new Set(['DL', 'VR', 'VA', 'VD', 'TK']);
const REASONS: ReadonlySet<string> = new Set(REASON_CODES);
const STATUS_KEY = /^[0-9a-f]{32}$/;
const ACTIONS: ReadonlySet<string> = new Set(AUDIT_ACTIONS);
const ACTION_SOURCES: ReadonlySet<string> = new Set(AUDIT_ACTION_SOURCES);
const ACTION_RESULTS: ReadonlySet<string> = new Set(AUDIT_ACTION_RESULTS);
/** Printable text: no control, format (bidi, zero-width) or other invisible characters. */
const isSafeText = (s: string) => s.length <= 64 && !hasUnsafeText(s);

export class AuditLog {
  /** Random id of this log, sent with every upload batch. */
  readonly logId: string;
  private readonly insert;
  private readonly ackedThroughStmt;
  private readonly ackStmt;
  private readonly pendingStmt;
  private readonly pendingCountStmt;
  private readonly exportStmt;
  private readonly purgeAllStmt;
  private readonly purgeAckedStmt;
  private readonly countStmt;

  constructor(
    private readonly db: Db,
    private readonly meta: AuditMeta,
  ) {
    checkText(meta.deviceId, 'device id', false);
    checkText(meta.operator, 'operator id', true);
    migrate(db, 'audit-log', MIGRATIONS);
    db.prepare('INSERT OR IGNORE INTO audit_state (id, log_id, acked_through) VALUES (1, ?, 0)').run(randomUUID());
    this.logId = (db.prepare('SELECT log_id FROM audit_state WHERE id = 1').get() as { log_id: string }).log_id;
    this.insert = db.prepare(AUDIT_INSERT_SQL);
    this.ackedThroughStmt = db.prepare('SELECT acked_through FROM audit_state WHERE id = 1').pluck();
    this.ackStmt = db.prepare('UPDATE audit_state SET acked_through = max(acked_through, ?) WHERE id = 1');
    this.pendingStmt = db.prepare('SELECT * FROM audit_log WHERE seq > (SELECT acked_through FROM audit_state WHERE id = 1) ORDER BY seq LIMIT ?');
    this.pendingCountStmt = db.prepare('SELECT count(*) FROM audit_log WHERE seq > (SELECT acked_through FROM audit_state WHERE id = 1)').pluck();
    this.exportStmt = db.prepare('SELECT * FROM audit_log WHERE at_sec >= ? ORDER BY seq');
    this.purgeAllStmt = db.prepare('DELETE FROM audit_log WHERE at_sec < ?');
    this.purgeAckedStmt = db.prepare('DELETE FROM audit_log WHERE at_sec < ? AND seq <= (SELECT acked_through FROM audit_state WHERE id = 1)');
    this.countStmt = db.prepare('SELECT count(*) FROM audit_log').pluck();
  }

  /** Writes one scan durably and returns its sequence number. Throws on a malformed entry. */
  record(entry: AuditEntry): number {
    return Number(this.insert.run(...auditRowValues(entry, this.meta)).lastInsertRowid);
  }

  /** The audit sink of the appliance, synchronous (an in-memory database, tests); see audit-writer.ts. */
  submit(entry: AuditEntry): void {
    this.record(entry);
  }

  /** Records at or after `sinceSec`, oldest first, read lazily. */
  *export(sinceSec: number): IterableIterator<AuditRecord> {
    for (const row of this.exportStmt.iterate(Math.floor(sinceSec)) as IterableIterator<AuditRow>) {
      yield auditRecordOf(row);
    }
  }

  /** Up to `limit` records the collector has not acknowledged yet, oldest first. */
  pending(limit: number): AuditRecord[] {
    return (this.pendingStmt.all(limit) as AuditRow[]).map(auditRecordOf);
  }

  pendingCount(): number {
    return this.pendingCountStmt.get() as number;
  }

  /** Highest sequence number the collector acknowledged (0 when none). */
  ackedThrough(): number {
    return this.ackedThroughStmt.get() as number;
  }

  /** Notes that the collector holds every record up to `seq`; never moves backwards. */
  acknowledge(seq: number): void {
    if (!Number.isSafeInteger(seq) || seq < 0) throw new TypeError('audit: bad acknowledged sequence number');
    this.ackStmt.run(seq);
  }

  /**
   * Deletes records older than the retention. With `requireAck`, only those the collector
   * acknowledged: a record leaves the device once it is both old enough and safe elsewhere.
   */
  purge(nowSec: number, retentionDays: number, opts: PurgeOptions = {}): number {
    if (!Number.isFinite(nowSec) || !(retentionDays > 0)) throw new TypeError('audit: bad purge arguments');
    const cutoff = Math.floor(nowSec) - Math.round(retentionDays * 86400);
    const stmt = opts.requireAck ? this.purgeAckedStmt : this.purgeAllStmt;
    return stmt.run(cutoff).changes;
  }

  /** Number of records held. */
  count(): number {
    return this.countStmt.get() as number;
  }

  /** The database this log writes to (for callers sharing one connection). */
  get database(): Db {
    return this.db;
  }
}

/** The one statement that adds a record; the writer's worker prepares it on its own connection. */
export const AUDIT_INSERT_SQL = `INSERT INTO audit_log (at_sec, device_id, operator, profile, region, station, verdict, reasons, type,
  status_key, clock_reliable, ms, scan_id, action, action_source, action_result) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`;

/** The values of AUDIT_INSERT_SQL for one entry, each checked against its vocabulary. Throws on a malformed entry. */
export function auditRowValues(entry: AuditEntry, meta: AuditMeta): AuditRowValues {
  const r = entry.result;
  if (!Number.isSafeInteger(entry.atSec)) throw new TypeError('audit: atSec must be an integer');
  if (!VERDICTS.has(r.verdict)) throw new TypeError('audit: unknown verdict');
  for (const code of r.reasons) if (!REASONS.has(code)) throw new TypeError('audit: unknown reason code');
  if (r.type !== null && !TYPES.has(r.type)) throw new TypeError('audit: unknown credential type');
  if (r.statusKey !== null && !STATUS_KEY.test(r.statusKey)) throw new TypeError('audit: status key must be 32 hex digits');
  checkText(entry.profile, 'profile', false);
  checkText(entry.region, 'region', false);
  if (entry.station !== null) checkText(entry.station, 'station', false);
  const scanId = entry.scanId ?? null;
  if (scanId !== null) checkText(scanId, 'scan id', false);
  const action = entry.action ?? null;
  if (action !== null && (!ACTIONS.has(action.action) || !ACTION_SOURCES.has(action.source) || !ACTION_RESULTS.has(action.result))) {
    throw new TypeError('audit: unknown operator action');
  }
  if (action !== null && scanId === null) throw new TypeError('audit: an operator action must name the scan it answers');
  const ms = Number.isFinite(r.ms) && r.ms >= 0 ? Math.round(r.ms * 1000) / 1000 : 0;
  return [
    entry.atSec,
    meta.deviceId,
    meta.operator,
    entry.profile,
    entry.region,
    entry.station,
    r.verdict,
    r.reasons.join(' '),
    r.type,
    r.statusKey,
    entry.reliable ? 1 : 0,
    ms,
    scanId,
    action?.action ?? null,
    action?.source ?? null,
    action?.result ?? null,
  ];
}

export type AuditRowValues = [
  number,
  string,
  string,
  string,
  string,
  string | null,
  string,
  string,
  string | null,
  string | null,
  0 | 1,
  number,
  string | null,
  string | null,
  string | null,
  string | null,
];

/** Where the appliance sends each scan's record. */
export interface AuditSink {
  submit(entry: AuditEntry): void;
}

function checkText(value: string, what: string, emptyOk: boolean): void {
  if (typeof value !== 'string' || !isSafeText(value) || (!emptyOk && value.length === 0)) {
    throw new TypeError(`audit: ${what} must be 1 to 64 printable characters`);
  }
}
