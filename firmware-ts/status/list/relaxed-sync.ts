/**
 * Writes that need no durability of their own: the pending rows of a sync (invisible until the
 * state row commits) and the sweep of leftovers. In WAL mode `synchronous = NORMAL` keeps them
 * consistent but skips the fsync per commit; the final state commit, at FULL, fsyncs the WAL and
 * with it every frame written before, so the switch still carries everything it names.
 *
 * The setting is restored before control returns to the event loop: the connection is shared
 * with scans, and an audit record written between two chunks must stay durable.
 * @module
 */
import type { Db } from '../../store/database.js';

export function withRelaxedSync<T>(db: Db, fn: () => T): T {
  const before = db.pragma('synchronous', { simple: true }) as number;
  if (before <= 1) return fn();
  db.pragma('synchronous = NORMAL');
  try {
    return fn();
  } finally {
    db.pragma(`synchronous = ${before}`);
  }
}
