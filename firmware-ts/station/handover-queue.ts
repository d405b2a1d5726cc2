/**
 * What this device decided alone while the station's store did not answer, kept durably until
 * it is handed over (docs/DESIGN.md, "A station with several gates and windows"), and the
 * conflicts the handover found.
 *
 * A row is written in the same synchronous, FULL-synchronous SQLite transaction style as the
 * audit log, before the scan's answer is given, so a record the gate acted on survives a power
 * cut and is handed over after the reboot. Rows leave only when the station's store has answered
 * for them. The queue is bounded (`maxRows`, station.shared.handoverQueueMax): past it the oldest
 * rows are kept and new ones are refused, because a gate offline for days must not fill the SD
 * card. A refused row is never lost unreported: the overflow (how many, since which instant) is
 * kept here, durably, shown on /healthz, the strip and the metrics, and the store hands over this
 * device's own records made since that instant once the queue has drained (`overflowSince`).
 * A row that no longer parses is counted and logged by the caller, never dropped in silence.
 * @module
 */
import type { Statement } from 'better-sqlite3';
import { migrate, type Db } from '../store/database.js';
import { isOnceRecord, type OnceAction, type OnceRecord } from './once-only.js';

const MIGRATIONS = [
  `CREATE TABLE station_handover (
     id INTEGER PRIMARY KEY AUTOINCREMENT,
     op TEXT NOT NULL CHECK (op IN ('claim', 'release')),
     entry_key TEXT NOT NULL CHECK (length(entry_key) = 32),
     action TEXT NOT NULL CHECK (action IN ('boarded', 'voucher')),
     record TEXT NOT NULL,
     expires_at INTEGER NOT NULL
   );
   CREATE INDEX station_handover_key ON station_handover (entry_key, action);
   CREATE TABLE station_conflict (
     id INTEGER PRIMARY KEY AUTOINCREMENT,
     detected_at INTEGER NOT NULL,
     entry_key TEXT NOT NULL,
     action TEXT NOT NULL,
     ours TEXT NOT NULL,
     theirs TEXT NOT NULL
   );`,
  // The kind of a conflict and why (a holder that cannot be read, a record gone from the station);
  // the overflow of a full queue, one row, kept until its records are handed over.
  `ALTER TABLE station_conflict ADD COLUMN kind TEXT NOT NULL DEFAULT 'taken-twice';
   ALTER TABLE station_conflict ADD COLUMN reason TEXT;
   CREATE TABLE station_handover_overflow (
     id INTEGER PRIMARY KEY CHECK (id = 1),
     since_sec INTEGER NOT NULL,
     refused INTEGER NOT NULL
   );`,
];

/**
 * What kind of conflict a handover or a scan found:
 * - `taken-twice`: another device holds the record this device decided alone (a double boarding);
 * - `unreadable`: the key holds a value that is not a record (oversized, not JSON, not a record):
 *   someone holds it, who cannot be read;
 * - `vanished`: this device holds a record the station no longer has (deleted or expired early).
 */
export type ConflictKind = 'taken-twice' | 'unreadable' | 'vanished';
export const CONFLICT_KINDS: readonly ConflictKind[] = ['taken-twice', 'unreadable', 'vanished'];

export type HandoverOp = 'claim' | 'release';

export interface HandoverItem {
  id: number;
  op: HandoverOp;
  key: string;
  rec: OnceRecord;
  expiresAtSec: number;
}

/** A ticket boarded (or swapped) twice while the station's store was out of reach. */
export interface OnceConflict {
  key: string;
  action: OnceAction;
  /** This device's record, decided offline. */
  ours: OnceRecord;
  /** The record the station's store already held. */
  theirs: OnceRecord;
  detectedAtSec: number;
  /** Absent: `taken-twice`. */
  kind?: ConflictKind;
  /** One line: why (the size of an unreadable value, what vanished). */
  reason?: string;
}

/** Records the full queue could not take: how many, and the earliest instant among them. */
export interface QueueOverflow {
  sinceSec: number;
  refused: number;
}

interface Row {
  id: number;
  op: HandoverOp;
  entry_key: string;
  action: OnceAction;
  record: string;
  expires_at: number;
}

export class HandoverQueue {
  private readonly insert: Statement<[HandoverOp, string, OnceAction, string, number]>;
  private readonly oldest: Statement<[number], Row>;
  private readonly claimFor: Statement<[string, OnceAction], Row>;
  private readonly remove: Statement<[number]>;
  private readonly count: Statement<[], number>;
  private readonly insertConflict: Statement<[number, string, OnceAction, string, string, ConflictKind, string | null]>;
  private readonly conflictCount: Statement<[], number>;
  private readonly conflictKinds: Statement<[], { kind: ConflictKind; n: number }>;
  private readonly overflowGet: Statement<[], { since_sec: number; refused: number }>;
  private readonly overflowAdd: Statement<[{ since: number }]>;
  private readonly overflowClear: Statement<[number]>;

  /** Rows that no longer parsed (removed, never handed over), since start; each also told to `onUnreadable`. */
  unreadable = 0;

  constructor(
    db: Db,
    readonly maxRows = 100_000,
    private readonly onUnreadable?: (row: { id: number; key: string; action: string }) => void,
  ) {
    migrate(db, 'station-handover', MIGRATIONS);
    this.insert = db.prepare('INSERT INTO station_handover (op, entry_key, action, record, expires_at) VALUES (?, ?, ?, ?, ?)');
    this.oldest = db.prepare('SELECT * FROM station_handover ORDER BY id LIMIT ?');
    this.claimFor = db.prepare("SELECT * FROM station_handover WHERE entry_key = ? AND action = ? AND op = 'claim' ORDER BY id LIMIT 1");
    this.remove = db.prepare('DELETE FROM station_handover WHERE id = ?');
    this.count = db.prepare('SELECT count(*) FROM station_handover').pluck() as unknown as Statement<[], number>;
    this.insertConflict = db.prepare('INSERT INTO station_conflict (detected_at, entry_key, action, ours, theirs, kind, reason) VALUES (?, ?, ?, ?, ?, ?, ?)');
    this.conflictCount = db.prepare('SELECT count(*) FROM station_conflict').pluck() as unknown as Statement<[], number>;
    this.conflictKinds = db.prepare('SELECT kind, count(*) AS n FROM station_conflict GROUP BY kind');
    this.overflowGet = db.prepare('SELECT since_sec, refused FROM station_handover_overflow WHERE id = 1');
    this.overflowAdd = db.prepare(
      'INSERT INTO station_handover_overflow (id, since_sec, refused) VALUES (1, @since, 1) ON CONFLICT(id) DO UPDATE SET since_sec = min(since_sec, @since), refused = refused + 1',
    );
    this.overflowClear = db.prepare('DELETE FROM station_handover_overflow WHERE id = 1 AND refused = ?');
  }

  /**
   * Queues one operation durably; false when the queue is full: nothing queued, and the overflow
   * (count, earliest instant) kept instead, so what was refused is handed over later, never lost.
   */
  add(op: HandoverOp, key: string, rec: OnceRecord, expiresAtSec: number): boolean {
    if (this.size() >= this.maxRows) {
      this.overflowAdd.run({ since: rec.atSec });
      return false;
    }
    this.insert.run(op, key, rec.action, JSON.stringify(rec), expiresAtSec);
    return true;
  }

  /** Records the full queue refused and not yet handed over, or null. */
  overflow(): QueueOverflow | null {
    const row = this.overflowGet.get();
    return row ? { sinceSec: row.since_sec, refused: row.refused } : null;
  }

  /** Clears the overflow once its records are handed over, unless more were refused meanwhile. */
  overflowHandled(seen: QueueOverflow): boolean {
    return this.overflowClear.run(seen.refused).changes === 1;
  }

  /** The oldest `limit` operations, in the order they were decided. */
  next(limit: number): HandoverItem[] {
    const items: HandoverItem[] = [];
    for (const row of this.oldest.all(limit)) {
      const item = itemOf(row);
      if (item) items.push(item);
      else {
        this.remove.run(row.id);
        this.unreadable++;
        this.onUnreadable?.({ id: row.id, key: String(row.entry_key).slice(0, 32), action: String(row.action).slice(0, 16) });
      }
    }
    return items;
  }

  /** A claim of this ticket still waiting for the station's store, if any. */
  pendingClaim(key: string, action: OnceAction): HandoverItem | null {
    const row = this.claimFor.get(key, action);
    return row ? itemOf(row) : null;
  }

  done(id: number): void {
    this.remove.run(id);
  }

  size(): number {
    return this.count.get() ?? 0;
  }

  recordConflict(c: OnceConflict): void {
    this.insertConflict.run(c.detectedAtSec, c.key, c.action, JSON.stringify(c.ours), JSON.stringify(c.theirs), c.kind ?? 'taken-twice', c.reason ?? null);
  }

  /** Conflicts ever found, by kind (every kind present, 0 when none). */
  conflictsByKind(): Record<ConflictKind, number> {
    const out: Record<ConflictKind, number> = { 'taken-twice': 0, unreadable: 0, vanished: 0 };
    for (const { kind, n } of this.conflictKinds.all()) if (kind in out) out[kind] = n;
    return out;
  }

  /** Conflicts found by handovers, ever (the rows stay as evidence). */
  conflicts(): number {
    return this.conflictCount.get() ?? 0;
  }
}

/** A row that does not parse back (a flipped bit on the card) is dropped by `next`, never handed over. */
function itemOf(r: Row): HandoverItem | null {
  let rec: unknown;
  try {
    rec = JSON.parse(r.record);
  } catch {
    return null;
  }
  if (!isOnceRecord(rec) || rec.action !== r.action) return null;
  return { id: r.id, op: r.op, key: r.entry_key, rec, expiresAtSec: r.expires_at };
}
