/**
 * The one SQLite database of the appliance, in WAL mode, with versioned migrations per feature.
 *
 * Each feature (status list, audit log, boarding, clock floor...) owns its tables and calls
 * `migrate(db, feature, steps)` once when it opens: step i takes the feature from version i to
 * i + 1, in a transaction, so a power cut mid-migration leaves the previous version whole.
 * @module
 */
import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import type BetterSqlite3 from 'better-sqlite3';

// Required as the CommonJS package it is, its native part named directly: an ES import would
// first scan its source for export names, and its own loader would search for the addon, costs
// every cold `roadscan verify` paid.
const requireCjs = createRequire(import.meta.url);
const Database = requireCjs('better-sqlite3') as typeof BetterSqlite3;
const NATIVE_BINDING = requireCjs.resolve('better-sqlite3/build/Release/better_sqlite3.node');

export type Db = BetterSqlite3.Database;

export interface OpenOptions {
  readonly?: boolean;
}

/** Opens (creating if needed) the database file with the durability settings we rely on. */
export function openDatabase(file: string, opts: OpenOptions = {}): Db {
  if (file !== ':memory:' && !opts.readonly) mkdirSync(dirname(file), { recursive: true });
  const db = new Database(file, { readonly: opts.readonly ?? false, fileMustExist: opts.readonly ?? false, nativeBinding: NATIVE_BINDING });
  db.pragma('busy_timeout = 5000');
  if (!opts.readonly) {
    db.pragma('journal_mode = WAL');
    // FULL: a committed transaction (an audit record, an applied list) survives a power cut.
    db.pragma('synchronous = FULL');
    db.pragma('foreign_keys = ON');
    db.exec('CREATE TABLE IF NOT EXISTS schema_version (feature TEXT PRIMARY KEY, version INTEGER NOT NULL)');
  }
  return db;
}

/** Brings one feature's tables up to `steps.length`, one transaction per step. */
export function migrate(db: Db, feature: string, steps: readonly string[]): void {
  const row = db.prepare('SELECT version FROM schema_version WHERE feature = ?').get(feature) as { version: number } | undefined;
  const current = row?.version ?? 0;
  if (current > steps.length) {
    throw new Error(`database: ${feature} schema version ${current} is newer than this software (${steps.length})`);
  }
  for (let v = current; v < steps.length; v++) {
    db.transaction(() => {
      db.exec(steps[v]!);
      db.prepare('INSERT INTO schema_version (feature, version) VALUES (?, ?) ON CONFLICT(feature) DO UPDATE SET version = excluded.version').run(feature, v + 1);
    })();
  }
}
