/**
 * The status list's tables. The list itself is the snapshot file named by `status_state` plus
 * the delta rows of `status_overlay` that belong to that file (`base_id`) and whose `seq` is not
 * above the state's `seq`. So a sync writes its rows first, invisible, and then makes them count
 * by updating the single state row in one small transaction: the atomic switch.
 * @module
 */
import { migrate, type Db } from '../../store/database.js';

export const STATUS_FEATURE = 'statusList';

const STEPS: readonly string[] = [
  `CREATE TABLE status_state (
     id INTEGER PRIMARY KEY CHECK (id = 1),
     gen INTEGER NOT NULL,            -- bumped whenever the list's content or files change
     seq INTEGER,                     -- null until the first verified manifest
     iat INTEGER,                     -- iat of the last verified manifest (seconds)
     base_id INTEGER,                 -- the snapshot file's generation; overlay rows carry it
     base_file TEXT,                  -- snapshot file name inside the data dir
     base_seq INTEGER,
     base_count INTEGER,
     entries INTEGER NOT NULL DEFAULT 0,  -- listed keys (status other than 0)
     trust_json TEXT,                 -- last trust list accepted by sync
     trust_version INTEGER,
     trust_sha256 BLOB,
     synced_ms INTEGER                -- when the last verified manifest was recorded
   );
   INSERT INTO status_state (id, gen) VALUES (1, 0);
   CREATE TABLE status_overlay (
     base_id INTEGER NOT NULL,
     key BLOB NOT NULL,
     seq INTEGER NOT NULL,            -- the delta's "to": the row counts once state.seq >= seq
     status INTEGER NOT NULL,
     PRIMARY KEY (base_id, key, seq)
   ) WITHOUT ROWID;
   CREATE TABLE status_sync_lock (
     id INTEGER PRIMARY KEY CHECK (id = 1),
     token TEXT NOT NULL,
     pid INTEGER NOT NULL,
     host TEXT NOT NULL,
     expires_ms INTEGER NOT NULL
   );
   CREATE TABLE status_sync_attempt (
     id INTEGER PRIMARY KEY CHECK (id = 1),
     at_ms INTEGER NOT NULL,
     ok INTEGER NOT NULL,
     error TEXT
   );`,
  // 2: the manifest's ETag (If-None-Match) and the snapshot's SHA-256 (checked at rest).
  `ALTER TABLE status_state ADD COLUMN manifest_etag TEXT;
   ALTER TABLE status_state ADD COLUMN base_sha256 BLOB;`,
  // 1.1: rules data accepted by sync (docs/STATUS-LIST.md "Signed documents"), written in the
  // same transaction as the state row, so a sync changes all of it or none.
  `CREATE TABLE rules_data (
     name TEXT PRIMARY KEY,           -- calendar-cn, adoption
     version INTEGER NOT NULL,
     json TEXT NOT NULL,              -- the signed payload, as signed
     sha256 BLOB NOT NULL,            -- of the signed document (the manifest's)
     accepted_ms INTEGER NOT NULL
   );`,
  // 4: why the kept list was found damaged at rest (null: not known to be); cleared by a sync.
  `ALTER TABLE status_state ADD COLUMN damaged TEXT;`,
  // 1.2: the base URL the manifest's ETag came from; an ETag counts only there (a validator
  // stored before, without its URL, counts nowhere: the next sync makes a plain GET).
  `ALTER TABLE status_state ADD COLUMN manifest_etag_url TEXT;`,
];

export function migrateStatusList(db: Db): void {
  migrate(db, STATUS_FEATURE, STEPS);
}

/** The state row as stored. */
export interface StatusStateRow {
  gen: number;
  seq: number | null;
  iat: number | null;
  base_id: number | null;
  base_file: string | null;
  base_seq: number | null;
  base_count: number | null;
  entries: number;
  trust_json: string | null;
  trust_version: number | null;
  trust_sha256: Buffer | null;
  synced_ms: number | null;
  manifest_etag: string | null;
  /** The base URL `manifest_etag` came from (spec 1.2: it counts only there). */
  manifest_etag_url: string | null;
  base_sha256: Buffer | null;
  damaged: string | null;
}

export function readState(db: Db): StatusStateRow {
  return db.prepare('SELECT * FROM status_state WHERE id = 1').get() as StatusStateRow;
}

/** The outcome of the last sync attempt, for `status` and health. */
export interface SyncAttempt {
  atMs: number;
  ok: boolean;
  error: string | null;
}

export function recordSyncAttempt(db: Db, atMs: number, error: string | null): void {
  try {
    db.prepare(
      `INSERT INTO status_sync_attempt (id, at_ms, ok, error) VALUES (1, ?, ?, ?)
       ON CONFLICT(id) DO UPDATE SET at_ms = excluded.at_ms, ok = excluded.ok, error = excluded.error`,
    ).run(atMs, error === null ? 1 : 0, error);
  } catch {
    // Only a diagnostic: a sync never fails for want of its own report.
  }
}

export function readSyncAttempt(db: Db): SyncAttempt | null {
  const row = db.prepare('SELECT at_ms, ok, error FROM status_sync_attempt WHERE id = 1').get() as { at_ms: number; ok: number; error: string | null } | undefined;
  return row ? { atMs: row.at_ms, ok: row.ok === 1, error: row.error } : null;
}

/**
 * Forgets the status list sync brought, and its validator (`roadscan provision --replace-trust`,
 * app/forget-synced.ts, which forgets the signed documents in the same transaction):
 * the next sync takes its publication's list whole, whatever its seq. Files the state no longer
 * names are swept by that sync. Call it inside a transaction.
 */
export function forgetHeldList(db: Db): void {
  db.prepare(
    `UPDATE status_state SET gen = gen + 1, seq = NULL, iat = NULL, base_id = NULL, base_file = NULL, base_seq = NULL,
       base_count = NULL, entries = 0, synced_ms = NULL, manifest_etag = NULL, manifest_etag_url = NULL, base_sha256 = NULL,
       damaged = NULL WHERE id = 1`,
  ).run();
}
