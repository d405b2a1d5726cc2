/**
 * This device's own once-only record, in the appliance's SQLite database: the whole record of a
 * device that works alone, and the fallback (and hand-over source) of a station store.
 *
 * One row per ticket key and action; the primary key makes a claim atomic (first writer wins,
 * inside SQLite's write lock, so two processes on one database cannot both claim). Alone (as
 * `roadscan verify` uses it) every write is its own transaction on the WAL database with
 * synchronous=FULL, before the answer.
 *
 * In the service the writes go behind (`writeBehind`, once-only-write-behind.ts: the audit writer's worker): the answer comes
 * from this process's memory of what it claimed and released, over the database read, so the
 * verdict never waits for SQLite's write lock (held by the audit worker while it flushes) nor for a
 * flush; the row is durable in the next group commit, with the scan's audit record, well before the
 * feedback ends (docs/DESIGN.md: feedback first, durable before it ends). Scans are answered one
 * after another on one event loop, so the memory is the whole truth for this process; a record
 * another process wrote meanwhile shows when the insert changes nothing, and is reported
 * (`onWriteProblem`), as is a write given up during a long disk fault. Rows expire after the ticket's own `exp` plus a margin
 * (`purge`), so the table holds only tickets that could still be shown.
 *
 * Migration 1 absorbs the older per-gate `boarded_ticket` table (ticket-boarding-store), which knew
 * neither the device nor the ticket's expiry: its rows become `boarded` records of device 'legacy' that
 * expire `LEGACY_KEEP_SEC` after they were made (a boarding window closes ten minutes after
 * departure, so a day is more than enough).
 * @module
 */
import type { Statement } from 'better-sqlite3';
import { migrate, type Db } from '../store/database.js';
import type { OnceWriteBehind, OnceWriteProblem } from './once-only-write-behind.js';
import { assertOnceInput, sameOnceRecord, type ClaimOutcome, type OnceAction, type OnceOnlyStore, type OnceRecord } from './once-only.js';

export const LEGACY_KEEP_SEC = 86_400;

const MIGRATIONS = [
  `CREATE TABLE once_only (
     entry_key TEXT NOT NULL CHECK (length(entry_key) = 32),
     action TEXT NOT NULL CHECK (action IN ('boarded', 'voucher')),
     device TEXT NOT NULL,
     at_sec INTEGER NOT NULL,
     scan_id TEXT,
     expires_at INTEGER NOT NULL,
     PRIMARY KEY (entry_key, action)
   ) WITHOUT ROWID;
   CREATE INDEX once_only_expires ON once_only (expires_at);
   CREATE INDEX once_only_at ON once_only (at_sec);
   CREATE TABLE IF NOT EXISTS boarded_ticket (entry_key BLOB PRIMARY KEY, boarded_at INTEGER NOT NULL) WITHOUT ROWID;
   INSERT OR IGNORE INTO once_only (entry_key, action, device, at_sec, scan_id, expires_at)
     SELECT lower(hex(entry_key)), 'boarded', 'legacy', boarded_at, NULL, boarded_at + ${LEGACY_KEEP_SEC}
     FROM boarded_ticket WHERE length(entry_key) = 16;
   DROP TABLE boarded_ticket;
   DELETE FROM schema_version WHERE feature = 'boarding';`,
];

interface Row {
  action: OnceAction;
  device: string;
  at_sec: number;
  scan_id: string | null;
  expires_at: number;
}

/** One kept record with its key, as `recordsSince` lists them for a hand-over. */
export interface KeptOnceRecord {
  key: string;
  record: OnceRecord;
  expiresAtSec: number;
}

export interface LocalOnceOnlyOptions {
  writeBehind?: OnceWriteBehind;
  onWriteProblem?(problem: OnceWriteProblem): void;
}

const INSERT_SQL = 'INSERT OR IGNORE INTO once_only (entry_key, action, device, at_sec, scan_id, expires_at) VALUES (?, ?, ?, ?, ?, ?)';
const DELETE_SQL = 'DELETE FROM once_only WHERE entry_key = ? AND action = ? AND device = ? AND at_sec = ? AND scan_id IS ?';

/** A write answered from memory and not yet durable: `rec` null is a release. */
interface Pending {
  rec: OnceRecord | null;
  version: number;
}

export class LocalOnceOnlyStore implements OnceOnlyStore {
  private readonly pending = new Map<string, Pending>();
  private version = 0;
  private readonly getStmt: Statement<[string, string], Row>;
  private readonly insertStmt: Statement<[string, string, string, number, string | null, number]>;
  private readonly deleteStmt: Statement<[string, string, string, number, string | null]>;
  private readonly purgeStmt: Statement<[number]>;
  private readonly sinceStmt: Statement<[number, number], Row & { entry_key: string }>;
  private readonly countStmt: Statement<[], { n: number }>;

  constructor(
    private readonly db: Db,
    private readonly opts: LocalOnceOnlyOptions = {},
  ) {
    migrate(db, 'once-only', MIGRATIONS);
    this.getStmt = db.prepare('SELECT action, device, at_sec, scan_id, expires_at FROM once_only WHERE entry_key = ? AND action = ?');
    this.insertStmt = db.prepare(INSERT_SQL);
    this.deleteStmt = db.prepare(DELETE_SQL);
    this.purgeStmt = db.prepare('DELETE FROM once_only WHERE expires_at < ?');
    this.sinceStmt = db.prepare('SELECT entry_key, action, device, at_sec, scan_id, expires_at FROM once_only WHERE at_sec >= ? ORDER BY at_sec, entry_key LIMIT ?');
    this.countStmt = db.prepare('SELECT count(*) AS n FROM once_only');
  }

  async lookup(key: string, action: OnceAction): Promise<{ record: OnceRecord | null; offline: boolean }> {
    return { record: this.lookupSync(key, action), offline: false };
  }

  async claim(key: string, rec: OnceRecord, expiresAtSec: number): Promise<ClaimOutcome> {
    return this.claimSync(key, rec, expiresAtSec);
  }

  async release(key: string, rec: OnceRecord): Promise<{ released: boolean; offline: boolean }> {
    return { released: this.releaseSync(key, rec), offline: false };
  }

  async close(): Promise<void> {
    // The database belongs to whoever opened it (the runtime closes it once for every feature).
  }

  /** The synchronous core of `lookup`, for callers that hold the database anyway. */
  lookupSync(key: string, action: OnceAction): OnceRecord | null {
    assertOnceInput(key);
    const p = this.pending.get(`${key}:${action}`);
    if (p) return p.rec;
    const row = this.getStmt.get(key, action);
    return row ? recordOf(row) : null;
  }

  /** The synchronous core of `claim`: one INSERT, so first writer wins even across processes. */
  claimSync(key: string, rec: OnceRecord, expiresAtSec: number): ClaimOutcome {
    assertOnceInput(key, rec, expiresAtSec);
    if (this.opts.writeBehind) {
      const held = this.lookupSync(key, rec.action);
      if (held) return { result: 'taken', by: held, offline: false };
      this.behind(key, rec.action, rec, INSERT_SQL, [key, rec.action, rec.device, rec.atSec, rec.scanId ?? null, expiresAtSec]);
      return { result: 'claimed', offline: false };
    }
    const put = this.db.transaction((): ClaimOutcome => {
      if (this.insertStmt.run(key, rec.action, rec.device, rec.atSec, rec.scanId ?? null, expiresAtSec).changes === 1) {
        return { result: 'claimed', offline: false };
      }
      const held = this.getStmt.get(key, rec.action);
      return { result: 'taken', by: held ? recordOf(held) : rec, offline: false };
    });
    return put.immediate();
  }

  /** The synchronous core of `release`: deletes the row only if it is exactly `rec`. */
  releaseSync(key: string, rec: OnceRecord): boolean {
    assertOnceInput(key, rec);
    const held = this.lookupSync(key, rec.action);
    if (!held || !sameOnceRecord(held, rec)) return false;
    if (this.opts.writeBehind) {
      this.behind(key, rec.action, null, DELETE_SQL, [key, rec.action, rec.device, rec.atSec, rec.scanId ?? null]);
      return true;
    }
    return this.deleteStmt.run(key, rec.action, rec.device, rec.atSec, rec.scanId ?? null).changes === 1;
  }

  /** Forgets records whose ticket expired (plus margin) before `nowSec`; returns how many. */
  purge(nowSec: number): number {
    return this.purgeStmt.run(nowSec).changes;
  }

  /** Records made at or after `atSec`, oldest first, at most `limit` (a hand-over, in pages). */
  recordsSince(atSec: number, limit = 500): KeptOnceRecord[] {
    return this.sinceStmt.all(atSec, Math.max(1, Math.min(limit, 10_000))).map((row) => ({
      key: row.entry_key,
      record: recordOf(row),
      expiresAtSec: row.expires_at,
    }));
  }

  /** Writes answered from memory and not yet durable. */
  get unwritten(): number {
    return this.pending.size;
  }

  /** Remembers the answer and hands the write behind; forgets it once durable (the database then says the same). */
  private behind(key: string, action: OnceAction, rec: OnceRecord | null, sql: string, values: (string | number | null)[]): void {
    const slot = `${key}:${action}`;
    const version = ++this.version;
    this.pending.set(slot, { rec, version });
    void this.opts.writeBehind!.writeOnce({ sql, values }).then((changes) => {
      if (this.pending.get(slot)?.version === version) this.pending.delete(slot);
      const kind = changes < 0 ? 'given-up' : rec && changes === 0 ? 'taken-meanwhile' : null;
      if (kind === null) return;
      try {
        this.opts.onWriteProblem?.({ key, action, kind, record: rec });
      } catch {
        // A listener that fails must not fail the store.
      }
    });
  }

  /** How many records are kept. */
  count(): number {
    return this.countStmt.get()!.n;
  }
}

function recordOf(row: Row): OnceRecord {
  const rec: OnceRecord = { action: row.action, device: row.device, atSec: row.at_sec };
  if (row.scan_id !== null) rec.scanId = row.scan_id;
  return rec;
}
