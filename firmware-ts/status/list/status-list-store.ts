/**
 * The status list as the verifier sees it: a synchronous `statusOf(key)` over the snapshot file
 * named by the state row plus the overlay rows of the deltas applied since.
 *
 * Every lookup reads the state row and the overlay in ONE SQL statement (one read snapshot), so
 * it sees one committed list, never a mix, even while a sync in this process or another one
 * writes pending rows or switches to a new snapshot. When the state's generation moved, the
 * store opens the new snapshot file first; until then the old file's descriptor keeps serving.
 *
 * A list that cannot be read (its file gone or damaged) is not taken as "nothing revoked":
 * `listIat()` then answers null, so every scan carries STATUS_LIST_STALE, and `problem()` says why.
 * Damage found at rest (a block failing its CRC, an index or file failing its SHA-256) is written
 * to the state row, so the list stays "never synced" across restarts until a sync fetches a fresh
 * snapshot (docs/DESIGN.md, Faults).
 * @module
 */
import { join } from 'node:path';
import type Database from 'better-sqlite3';
import type { Db } from '../../store/database.js';
import type { StatusSource } from './status-source.js';
import { SnapshotDamagedError, SnapshotReader } from './snapshot-reader.js';
import { ensureDir, indexFileFor } from './status-files.js';
import { MAX_KNOWN_STATUS } from './status-file-format.js';
import { migrateStatusList, readState, readSyncAttempt, type StatusStateRow, type SyncAttempt } from './status-schema.js';
import { SyncLock } from './sync-lock.js';
import { hasLeftovers, sweepLeftoversNow } from './leftover-sweep.js';

/** Where the store reports an unreadable list or an unknown status byte (a pino logger fits). */
export interface StatusLog {
  warn(msg: string): void;
}

export interface StatusListStoreOptions {
  log?: StatusLog;
}

/** How many times a lookup follows a state that moves under it before answering. */
const MAX_RELOADS = 3;
const RETRY_TROUBLE_MS = 5000;

export class StatusListStore implements StatusSource {
  private readonly lookupStmt: Database.Statement;
  private readonly stateStmt: Database.Statement;
  private gen = -1;
  private reader: SnapshotReader | null = null;
  private readerFile: string | null = null;
  private trouble: string | null = null;
  private troubleAt = 0;
  private closed = false;

  private constructor(
    private readonly db: Db,
    /** Folder of the snapshot files. */
    readonly dataDir: string,
    private readonly log: StatusLog | undefined,
  ) {
    this.lookupStmt = db
      .prepare(
        `SELECT s.gen, (SELECT o.status FROM status_overlay o
                          WHERE o.base_id = s.base_id AND o.key = ? AND o.seq <= s.seq
                          ORDER BY o.seq DESC LIMIT 1)
           FROM status_state s WHERE s.id = 1`,
      )
      .raw();
    this.stateStmt = db.prepare('SELECT * FROM status_state WHERE id = 1');
  }

  /**
   * Opens the list held in `db` (migrating its tables) with its files in `dataDir`. When no
   * sync is running, leftovers of an interrupted one are removed first.
   */
  static open(db: Db, dataDir: string, opts: StatusListStoreOptions = {}): StatusListStore {
    migrateStatusList(db);
    ensureDir(dataDir);
    // The lock (a write, and a disk flush) only when there is something to sweep.
    const lock = hasLeftovers(db, dataDir) ? SyncLock.tryAcquire(db) : 'nothing to sweep';
    if (typeof lock !== 'string') {
      try {
        sweepLeftoversNow(db, dataDir);
      } finally {
        lock.release();
      }
    }
    const store = new StatusListStore(db, dataDir, opts.log);
    store.refresh(readState(db));
    return store;
  }

  /** The status byte held for a 16-byte entry key; 0 when not listed (or never synced). */
  statusOf(key: Uint8Array): number {
    if (this.closed) throw new Error('status list store is closed');
    const k = Buffer.isBuffer(key) ? key : Buffer.from(key.buffer, key.byteOffset, key.byteLength);
    for (let attempt = 0; ; attempt++) {
      const [gen, overlay] = this.lookupStmt.get(k) as [number, number | null];
      if ((gen !== this.gen || this.retryDue()) && attempt < MAX_RELOADS) {
        this.refresh(this.stateStmt.get() as StatusStateRow);
        continue;
      }
      const status = overlay ?? this.lookupHeld(k);
      if (status > MAX_KNOWN_STATUS) {
        this.log?.warn(`status list: unknown status byte ${status} for key ${k.toString('hex')}, counted as revoked`);
      }
      return status;
    }
  }

  /** The snapshot's answer; a damaged block marks the list damaged and answers 0 (with STALE). */
  private lookupHeld(k: Buffer): number {
    if (!this.reader) return 0;
    try {
      return this.reader.lookup(k);
    } catch (err) {
      this.markDamaged(`status list damaged: ${(err as Error).message}`);
      return 0;
    }
  }

  /** Records damage found at rest: in memory at once, and in the state row for every process. */
  private markDamaged(why: string): void {
    this.trouble = why;
    this.troubleAt = Date.now();
    this.swapReader(null, null);
    this.log?.warn(why);
    try {
      this.db.prepare('UPDATE status_state SET damaged = ? WHERE id = 1 AND gen = ?').run(why.slice(0, 500), this.gen);
    } catch {
      // A read-only database: this process still reads the list as damaged.
    }
  }

  /**
   * Reads the whole kept snapshot once against its SHA-256 (`roadscan status`); marks the list
   * damaged when it fails. Resolves to the problem, or null when the list is whole.
   */
  verifyAtRest(): string | null {
    const st = this.state();
    if (this.trouble !== null || st.base_file === null) return this.trouble;
    try {
      SnapshotReader.verifyFile(join(this.dataDir, st.base_file), { seq: st.base_seq!, count: st.base_count!, sha256: st.base_sha256 });
      return null;
    } catch (err) {
      this.markDamaged(`status list damaged: ${(err as Error).message}`);
      return this.trouble;
    }
  }

  /** `iat` of the last verified manifest; null when never synced or the list cannot be read. */
  listIat(): number | null {
    const st = this.state();
    return this.trouble !== null ? null : st.iat;
  }

  seq(): number | null {
    return this.state().seq;
  }

  /** Number of listed keys (status other than 0). */
  entries(): number {
    return this.state().entries;
  }

  /** The outcome of the last sync attempt, or null when none was made. */
  lastSyncAttempt(): SyncAttempt | null {
    return readSyncAttempt(this.db);
  }

  /** Why the list cannot be read right now, or null when it can. */
  problem(): string | null {
    this.state();
    return this.trouble;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.reader?.close();
    this.reader = null;
  }

  /** Reads the state row, following a new generation if one was committed. */
  private state(): StatusStateRow {
    const st = this.stateStmt.get() as StatusStateRow;
    if ((st.gen !== this.gen || this.retryDue()) && !this.closed) this.refresh(st);
    return st;
  }

  /** An unreadable list is retried now and then, not on every lookup. */
  private retryDue(): boolean {
    return this.trouble !== null && Date.now() - this.troubleAt >= RETRY_TROUBLE_MS;
  }

  /** Points the store at the snapshot file the state row names. */
  private refresh(st: StatusStateRow): void {
    this.gen = st.gen;
    if (st.damaged) {
      this.swapReader(null, null);
      this.trouble = st.damaged;
      this.troubleAt = Date.now();
      return;
    }
    if (st.base_file === null) {
      this.swapReader(null, null);
      this.trouble = null;
      return;
    }
    if (st.base_file === this.readerFile && this.reader) return;
    const file = join(this.dataDir, st.base_file);
    try {
      const reader = SnapshotReader.open(file, indexFileFor(file), { seq: st.base_seq!, count: st.base_count!, sha256: st.base_sha256 });
      this.swapReader(reader, st.base_file);
      this.trouble = null;
    } catch (err) {
      if (err instanceof SnapshotDamagedError) return this.markDamaged(`status list damaged: ${err.message}`);
      // Keep answering from the list we had (if any); scans carry STATUS_LIST_STALE meanwhile.
      this.trouble = `status list file unreadable: ${(err as Error).message}`;
      this.troubleAt = Date.now();
      this.log?.warn(this.trouble);
    }
  }

  private swapReader(reader: SnapshotReader | null, file: string | null): void {
    const old = this.reader;
    this.reader = reader;
    this.readerFile = file;
    old?.close();
  }
}
