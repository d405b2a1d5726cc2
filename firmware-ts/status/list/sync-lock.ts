/**
 * One sync at a time per database, across processes (the service and a `roadscan sync` run by
 * hand may meet). A lease row in SQLite: the holder renews it while it works; a holder that was
 * killed is recognised at once when its pid is gone on this host, or else when its lease runs out.
 * @module
 */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { Db } from '../../store/database.js';

/** How long a lease lasts without renewal. */
export const LEASE_MS = 60_000;

interface LockRow {
  token: string;
  pid: number;
  host: string;
  expires_ms: number;
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export class SyncLock {
  private released = false;

  private constructor(
    private readonly db: Db,
    /** Random id of this holder; temporary files carry it. */
    readonly token: string,
  ) {}

  /** Takes the lock, or returns a one-line reason why another sync holds it. */
  static tryAcquire(db: Db, nowMs: number = Date.now()): SyncLock | string {
    const token = randomBytes(6).toString('hex');
    const host = hostname();
    return db
      .transaction((): SyncLock | string => {
        const row = db.prepare('SELECT token, pid, host, expires_ms FROM status_sync_lock WHERE id = 1').get() as LockRow | undefined;
        if (row && row.expires_ms > nowMs) {
          const deadHere = row.host === host && row.pid !== process.pid && !processAlive(row.pid);
          if (!deadHere) return `another sync is running (pid ${row.pid})`;
        }
        db.prepare(
          `INSERT INTO status_sync_lock (id, token, pid, host, expires_ms) VALUES (1, ?, ?, ?, ?)
         ON CONFLICT(id) DO UPDATE SET token = excluded.token, pid = excluded.pid, host = excluded.host,
           expires_ms = excluded.expires_ms`,
        ).run(token, process.pid, host, nowMs + LEASE_MS);
        return new SyncLock(db, token);
      })
      .immediate();
  }

  /** True while the row still names this holder (call inside the commit transaction). */
  held(): boolean {
    if (this.released) return false;
    const row = this.db.prepare('SELECT token FROM status_sync_lock WHERE id = 1').get() as { token: string } | undefined;
    return row?.token === this.token;
  }

  /** Extends the lease; false when the lock was lost (taken over after expiry). */
  renew(nowMs: number = Date.now()): boolean {
    if (this.released) return false;
    const r = this.db.prepare('UPDATE status_sync_lock SET expires_ms = ? WHERE id = 1 AND token = ?').run(nowMs + LEASE_MS, this.token);
    return r.changes === 1;
  }

  release(): void {
    if (this.released) return;
    this.released = true;
    try {
      this.db.prepare('DELETE FROM status_sync_lock WHERE id = 1 AND token = ?').run(this.token);
    } catch {
      // The lease runs out by itself.
    }
  }
}
