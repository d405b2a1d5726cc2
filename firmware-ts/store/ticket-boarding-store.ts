/**
 * Tickets that have boarded at this gate, kept in SQLite so "each ticket boards once" survives
 * a restart or a power cut.
 * @module
 */
import type { Statement } from 'better-sqlite3';
import { migrate, type Db } from './database.js';

const MIGRATIONS = [
  `CREATE TABLE boarded_ticket (
     entry_key BLOB PRIMARY KEY,
     boarded_at INTEGER NOT NULL
   ) WITHOUT ROWID`,
];

export class TicketBoardingStore {
  private readonly has: Statement<[Uint8Array], { boarded_at: number }>;
  private readonly add: Statement<[Uint8Array, number]>;
  private readonly purgeBefore: Statement<[number]>;

  constructor(db: Db) {
    migrate(db, 'boarding', MIGRATIONS);
    this.has = db.prepare('SELECT boarded_at FROM boarded_ticket WHERE entry_key = ?');
    this.add = db.prepare('INSERT OR IGNORE INTO boarded_ticket (entry_key, boarded_at) VALUES (?, ?)');
    this.purgeBefore = db.prepare('DELETE FROM boarded_ticket WHERE boarded_at < ?');
  }

  /** When the ticket boarded (seconds), or null. */
  boardedAt(key: Uint8Array): number | null {
    return this.has.get(key)?.boarded_at ?? null;
  }

  /** Records a boarding; returns false when the ticket had already boarded. */
  recordBoarding(key: Uint8Array, atSec: number): boolean {
    return this.add.run(key, atSec).changes === 1;
  }

  /** Forgets boardings older than `sec`: departed buses cannot be boarded again anyway. */
  purge(sec: number): number {
    return this.purgeBefore.run(sec).changes;
  }
}
