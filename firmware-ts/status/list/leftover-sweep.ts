/**
 * Removes what an interrupted or finished sync left behind: overlay rows that do not belong to
 * the list the state row names (another snapshot's, or written above `seq` by a sync that never
 * committed) and files in the data dir that the state row does not name.
 *
 * Only the holder of the sync lock may sweep, since another sync's pending rows and temporary
 * files look exactly like leftovers. Rows go in chunks, each its own short transaction, so
 * lookups on the same connection interleave when the sweep runs asynchronously.
 * @module
 */
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import type { Db } from '../../store/database.js';
import { hasOrphanFiles, indexFileFor, removeOrphanFiles } from './status-files.js';
import { readState } from './status-schema.js';
import { withRelaxedSync } from './relaxed-sync.js';

const CHUNK = 5000;

function keptFiles(st: ReturnType<typeof readState>): Set<string> {
  const keep = new Set<string>();
  if (st.base_file) {
    keep.add(st.base_file);
    keep.add(indexFileFor(st.base_file));
  }
  return keep;
}

/**
 * Whether anything is left to sweep, found by reading alone: a store that opens on a clean list
 * (nearly always) then takes no lock, so opening it writes nothing and waits on no disk flush.
 */
export function hasLeftovers(db: Db, dataDir: string): boolean {
  const st = readState(db);
  if (hasOrphanFiles(dataDir, keptFiles(st))) return true;
  const base = st.base_id ?? Number.MIN_SAFE_INTEGER;
  // Each a range of the primary key, answered from the index's first row.
  if (db.prepare('SELECT 1 FROM status_overlay WHERE base_id < ? LIMIT 1').get(base) !== undefined) return true;
  if (db.prepare('SELECT 1 FROM status_overlay WHERE base_id > ? LIMIT 1').get(base) !== undefined) return true;
  return st.base_id !== null && db.prepare('SELECT 1 FROM status_overlay WHERE base_id = ? AND seq > ? LIMIT 1').get(st.base_id, st.seq ?? 0) !== undefined;
}

function* sweepSteps(db: Db, dataDir: string): Generator<void, void, void> {
  const st = readState(db);
  removeOrphanFiles(dataDir, keptFiles(st));
  const base = st.base_id ?? Number.MIN_SAFE_INTEGER;
  const chunked = [
    db.prepare(
      `DELETE FROM status_overlay WHERE (base_id, key, seq) IN
         (SELECT base_id, key, seq FROM status_overlay WHERE base_id < ? LIMIT ${CHUNK})`,
    ),
    db.prepare(
      `DELETE FROM status_overlay WHERE (base_id, key, seq) IN
         (SELECT base_id, key, seq FROM status_overlay WHERE base_id > ? LIMIT ${CHUNK})`,
    ),
  ];
  for (const stmt of chunked) {
    while (withRelaxedSync(db, () => stmt.run(base).changes) > 0) yield;
  }
  if (st.base_id !== null) {
    const above = db.prepare('DELETE FROM status_overlay WHERE base_id = ? AND seq > ?');
    withRelaxedSync(db, () => above.run(st.base_id, st.seq ?? 0));
  }
}

/** Sweeps at once (store opening, no scans waiting yet). */
export function sweepLeftoversNow(db: Db, dataDir: string): void {
  for (const _ of sweepSteps(db, dataDir)) {
    // each step is one committed chunk
  }
}

/** Sweeps in chunks, letting scans run in between. */
export async function sweepLeftovers(db: Db, dataDir: string): Promise<void> {
  for (const _ of sweepSteps(db, dataDir)) await yieldToLoop();
}
