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
 *
 * Every record is chained (audit-chain.ts, chain-codec.ts): it carries the hash of the one before
 * it, and signed checkpoints vouch for the chain's head, so a record deleted, edited or moved
 * afterwards shows. A database from before the chain keeps its rows as they were; the chain
 * starts after them, with a `start` checkpoint saying how many there are. A purge removes the
 * oldest records only (a prefix of the chain) and leaves a signed `purge` checkpoint with their
 * number and the hash they end on, nothing of what they said.
 * @module
 */
import * as nodeCrypto from 'node:crypto';
import type { Db } from '../store/database.js';
import { migrate } from '../store/database.js';
import { REASON_CODES, type ReasonCode, type Verdict } from '../core/reasons.js';
import { systemClock, type Clock } from '../core/time.js';
import { auditRecordOf, chainValuesOfRow, type AuditRecord, type AuditRow } from './audit-record.js';
import { makeChain, type Chain, type ChainHead, type Checkpoint, type CheckpointRow, type SigningKey } from './audit-chain.js';
import { checkpointMessage, genesisHash, recordDigest } from './chain-codec.js';
import { signerOf } from './checkpoint-signer.js';
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

export interface AuditLogOptions {
  /** The device key checkpoints are signed with; null or absent: kept unsigned until it is there. */
  key?: SigningKey | null;
  /** A `count` checkpoint at every multiple of this sequence number (default 1000). */
  checkpointEvery?: number;
  /** The clock of checkpoint times (default the system clock). */
  clock?: Clock;
  /** Benchmarks only: records written without the chain, the baseline its cost is measured against. */
  unchainedForBenchmark?: boolean;
}

export const DEFAULT_CHECKPOINT_EVERY = 1000;

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
  // The hash chain and its checkpoints (issue 27); the head is set by AuditLog (startChain).
  `ALTER TABLE audit_log ADD COLUMN prev BLOB CHECK (prev IS NULL OR length(prev) = 32);
   ALTER TABLE audit_log ADD COLUMN salt BLOB CHECK (salt IS NULL OR length(salt) = 16);
   ALTER TABLE audit_state ADD COLUMN chain_seq INTEGER;
   ALTER TABLE audit_state ADD COLUMN chain_hash BLOB;
   ALTER TABLE audit_state ADD COLUMN chain_alg TEXT;
   CREATE TABLE audit_checkpoint (
     id INTEGER PRIMARY KEY AUTOINCREMENT,
     kind TEXT NOT NULL CHECK (kind IN ('start', 'count', 'time', 'stop', 'purge', 'lost')),
     seq INTEGER NOT NULL,
     hash BLOB NOT NULL,
     count INTEGER NOT NULL DEFAULT 0,
     from_seq INTEGER,
     at_sec INTEGER NOT NULL,
     every INTEGER NOT NULL,
     hash_alg TEXT NOT NULL,
     key_id TEXT,
     sig BLOB
   );
   CREATE INDEX audit_checkpoint_seq ON audit_checkpoint (seq);`,
  // The device key's algorithm in the checkpoint (SM2 device keys); null on those signed before (Ed25519).
  `ALTER TABLE audit_checkpoint ADD COLUMN key_alg TEXT CHECK (key_alg IS NULL OR key_alg IN ('Ed25519', 'SM2'));`,
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
  /** The chain's hash algorithm (node:crypto name). */
  readonly hashAlg: string;
  readonly checkpointEvery: number;
  private readonly chain: Chain;
  private readonly appendTx: (values: AuditRowValues) => number;
  private readonly ackedThroughStmt;
  private readonly ackStmt;
  private readonly pendingStmt;
  private readonly pendingCountStmt;
  private readonly exportStmt;
  private readonly countStmt;

  constructor(
    private readonly db: Db,
    private readonly meta: AuditMeta,
    opts: AuditLogOptions = {},
  ) {
    checkText(meta.deviceId, 'device id', false);
    checkText(meta.operator, 'operator id', true);
    migrate(db, 'audit-log', MIGRATIONS);
    db.prepare('INSERT OR IGNORE INTO audit_state (id, log_id, acked_through) VALUES (1, ?, 0)').run(nodeCrypto.randomUUID());
    this.logId = (db.prepare('SELECT log_id FROM audit_state WHERE id = 1').get() as { log_id: string }).log_id;
    this.checkpointEvery = opts.checkpointEvery ?? DEFAULT_CHECKPOINT_EVERY;
    const clock = opts.clock ?? systemClock;
    this.chain = makeChain(
      db,
      nodeCrypto,
      { recordDigest, checkpointMessage },
      { logId: this.logId, device: meta.deviceId, every: this.checkpointEvery, key: opts.key ?? null, sign: opts.key ? signerOf(nodeCrypto, opts.key) : null },
      () => clock.now() / 1000,
    );
    this.hashAlg = startChain(db, this.logId, this.chain, opts.key?.alg === 'SM2' ? 'sm3' : 'sha256');
    if (opts.key) db.transaction(() => this.chain.signPending()).immediate();
    const plain = db.prepare(`INSERT INTO audit_log (at_sec, device_id, operator, profile, region, station, verdict, reasons, type,
      status_key, clock_reliable, ms, scan_id, action, action_source, action_result) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
    this.appendTx = opts.unchainedForBenchmark
      ? (values: AuditRowValues) => Number(plain.run(...values).lastInsertRowid)
      : db.transaction((values: AuditRowValues) => {
          const append = this.chain.open();
          const seq = append.append(values);
          append.close();
          return seq;
        }).immediate;
    this.checkpointsStmt = db.prepare("SELECT * FROM audit_checkpoint WHERE seq >= ? OR kind IN ('start', 'purge') ORDER BY seq, id");
    this.rowStmt = db.prepare('SELECT * FROM audit_log WHERE seq = ?');
    this.betweenStmt = db.prepare("SELECT * FROM audit_checkpoint WHERE seq BETWEEN ? AND ? AND kind NOT IN ('purge', 'start') AND sig IS NOT NULL ORDER BY seq, id");
    this.fromSeqStmt = db.prepare('SELECT * FROM audit_log WHERE seq >= ? ORDER BY seq');
    this.ackedThroughStmt = db.prepare('SELECT acked_through FROM audit_state WHERE id = 1').pluck();
    this.ackStmt = db.prepare('UPDATE audit_state SET acked_through = max(acked_through, ?) WHERE id = 1');
    this.pendingStmt = db.prepare('SELECT * FROM audit_log WHERE seq > (SELECT acked_through FROM audit_state WHERE id = 1) ORDER BY seq LIMIT ?');
    this.pendingCountStmt = db.prepare('SELECT count(*) FROM audit_log WHERE seq > (SELECT acked_through FROM audit_state WHERE id = 1)').pluck();
    this.exportStmt = db.prepare('SELECT * FROM audit_log WHERE at_sec >= ? ORDER BY seq');
    this.countStmt = db.prepare('SELECT count(*) FROM audit_log').pluck();
    this.firstKeptStmt = db.prepare('SELECT min(seq) FROM audit_log WHERE at_sec >= ?').pluck();
    this.rangeStmt = db.prepare('SELECT min(seq) AS lo, max(seq) AS hi, count(*) AS n FROM audit_log WHERE seq <= ?');
    this.deleteThroughStmt = db.prepare('DELETE FROM audit_log WHERE seq <= ?');
  }

  private readonly checkpointsStmt;
  private readonly rowStmt;
  private readonly betweenStmt;
  private readonly fromSeqStmt;
  private readonly firstKeptStmt;
  private readonly rangeStmt;
  private readonly deleteThroughStmt;

  /** Writes one scan durably, chained, and returns its sequence number. Throws on a malformed entry. */
  record(entry: AuditEntry): number {
    return this.appendTx(auditRowValues(entry, this.meta));
  }

  /** The chain's head as committed: the last sequence number and its hash. */
  head(): ChainHead {
    return this.chain.head();
  }

  /** Stored checkpoints bearing on records from `fromSeq` on (and every start and purge one), by seq. */
  checkpoints(fromSeq = 0): Checkpoint[] {
    return (this.checkpointsStmt.all(fromSeq) as CheckpointRow[]).map(this.chain.checkpointOf);
  }

  /** Signed checkpoints of the head between two sequence numbers (what an upload batch carries). */
  checkpointsBetween(lo: number, hi: number): Checkpoint[] {
    return (this.betweenStmt.all(lo, hi) as CheckpointRow[]).map(this.chain.checkpointOf);
  }

  /** A checkpoint of the head now, signed and stored (a stop, or after a time without one). */
  checkpointHead(kind: 'time' | 'stop'): Checkpoint {
    return this.db.transaction(() => this.chain.checkpoint(kind)).immediate();
  }

  /** A signed checkpoint of the head now, not stored: the close of an export, answering `challenge`. */
  exportCheckpoint(challenge: string | null): Checkpoint {
    return this.chain.makeCheckpoint('export', { challenge });
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

  /** The first sequence number of a record at or after `sinceSec` (null: none): where a proof export starts. */
  firstSeqSince(sinceSec: number): number | null {
    return this.firstKeptStmt.get(Math.floor(sinceSec)) as number | null;
  }

  /** Every record from `seq` on, oldest first, read lazily: a contiguous run of the chain. */
  *exportFromSeq(seq: number): IterableIterator<AuditRecord> {
    for (const row of this.fromSeqStmt.iterate(seq) as IterableIterator<AuditRow>) yield auditRecordOf(row);
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
    return this.db
      .transaction(() => {
        // Only a prefix of the chain goes: up to the first record still within the retention.
        const firstKept = this.firstKeptStmt.get(cutoff) as number | null;
        let through = firstKept === null ? Number.MAX_SAFE_INTEGER : firstKept - 1;
        if (opts.requireAck) through = Math.min(through, this.ackedThrough());
        const range = this.rangeStmt.get(through) as { lo: number | null; hi: number | null; n: number };
        if (range.n === 0 || range.hi === null) return 0;
        const last = this.rowStmt.get(range.hi) as AuditRow;
        // The hash the removed records end on; records from before the chain end on its start.
        const hash =
          last.prev && last.salt ? recordDigest(nodeCrypto, this.hashAlg, last.prev.toString('hex'), last.seq, last.salt.toString('hex'), chainValuesOfRow(last)) : null;
        this.deleteThroughStmt.run(range.hi);
        this.chain.checkpoint('purge', { count: range.n, fromSeq: range.lo, at: { seq: range.hi, hash: hash ?? startHashOf(this.db) } });
        return range.n;
      })
      .immediate();
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

/** The column values of one entry (the order audit-chain.ts inserts and chain-codec.ts hashes them), each checked against its vocabulary. Throws on a malformed entry. */
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

/**
 * Starts the chain of a log that has none yet (a new database, or one from before the chain):
 * the head after the rows already there, the log's genesis hash, and a `start` checkpoint with
 * their number. Returns the chain's hash algorithm: `alg` (SM3 with an SM2 device key) for a
 * chain begun now, and for a chain begun before, the one it began with: a chain never changes
 * its hash (a key made after the chain began, with another algorithm, signs its checkpoints,
 * which say both).
 */
function startChain(db: Db, logId: string, chain: Chain, alg: 'sha256' | 'sm3'): string {
  return db
    .transaction(() => {
      const state = db.prepare('SELECT chain_alg FROM audit_state WHERE id = 1').get() as { chain_alg: string | null };
      if (state.chain_alg !== null) return state.chain_alg;
      const fromSequence = (db.prepare("SELECT seq FROM sqlite_sequence WHERE name = 'audit_log'").pluck().get() as number | undefined) ?? 0;
      const maxSeq = (db.prepare('SELECT coalesce(max(seq), 0) FROM audit_log').pluck().get() as number) ?? 0;
      const older = db.prepare('SELECT count(*) FROM audit_log').pluck().get() as number;
      db.prepare('UPDATE audit_state SET chain_seq = ?, chain_hash = ?, chain_alg = ? WHERE id = 1').run(
        Math.max(fromSequence, maxSeq),
        Buffer.from(genesisHash(nodeCrypto, alg, logId), 'hex'),
        alg,
      );
      chain.checkpoint('start', { count: older });
      return alg;
    })
    .immediate();
}

/** The hash the chain started from (its `start` checkpoint's). */
function startHashOf(db: Db): string {
  const row = db.prepare("SELECT hash FROM audit_checkpoint WHERE kind = 'start' ORDER BY id LIMIT 1").get() as { hash: Buffer } | undefined;
  return row ? row.hash.toString('hex') : '';
}

/** Where the appliance sends each scan's record. */
export interface AuditSink {
  submit(entry: AuditEntry): void;
}

function checkText(value: string, what: string, emptyOk: boolean): void {
  if (typeof value !== 'string' || !isSafeText(value) || (!emptyOk && value.length === 0)) {
    throw new TypeError(`audit: ${what} must be 1 to 64 printable characters`);
  }
}
