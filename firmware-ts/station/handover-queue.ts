/**
 * What this device decided alone while the station's store did not answer, kept durably until
 * it is handed over (docs/DESIGN.md, "A station with several gates and windows"), and the
 * conflicts the handover found.
 *
 * A row is written in the same synchronous, FULL-synchronous SQLite transaction style as the
 * audit log, before the scan's answer is given, so a record the gate acted on survives a power
 * cut and is handed over after the reboot. Rows leave only when the station's store has answered
 * for them. The queue is bounded (`maxRows`): past it the oldest rows are kept and new ones are
 * refused, and the caller counts that, because a gate offline for days must not fill the SD card.
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
];

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
  private readonly insertConflict: Statement<[number, string, OnceAction, string, string]>;
  private readonly conflictCount: Statement<[], number>;

  /** Rows that no longer parsed (removed, never handed over), since start. */
  unreadable = 0;

  constructor(
    db: Db,
    private readonly maxRows = 100_000,
  ) {
    migrate(db, 'station-handover', MIGRATIONS);
    this.insert = db.prepare('INSERT INTO station_handover (op, entry_key, action, record, expires_at) VALUES (?, ?, ?, ?, ?)');
    this.oldest = db.prepare('SELECT * FROM station_handover ORDER BY id LIMIT ?');
    this.claimFor = db.prepare("SELECT * FROM station_handover WHERE entry_key = ? AND action = ? AND op = 'claim' ORDER BY id LIMIT 1");
    this.remove = db.prepare('DELETE FROM station_handover WHERE id = ?');
    this.count = db.prepare('SELECT count(*) FROM station_handover').pluck() as unknown as Statement<[], number>;
    this.insertConflict = db.prepare('INSERT INTO station_conflict (detected_at, entry_key, action, ours, theirs) VALUES (?, ?, ?, ?, ?)');
    this.conflictCount = db.prepare('SELECT count(*) FROM station_conflict').pluck() as unknown as Statement<[], number>;
  }

  /** Queues one operation durably; false when the queue is full (nothing written). */
  add(op: HandoverOp, key: string, rec: OnceRecord, expiresAtSec: number): boolean {
    if (this.size() >= this.maxRows) return false;
    this.insert.run(op, key, rec.action, JSON.stringify(rec), expiresAtSec);
    return true;
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
    this.insertConflict.run(c.detectedAtSec, c.key, c.action, JSON.stringify(c.ours), JSON.stringify(c.theirs));
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
