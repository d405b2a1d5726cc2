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
import { indexFileFor, removeOrphanFiles } from './status-files.js';
import { readState } from './status-schema.js';
import { withRelaxedSync } from './relaxed-sync.js';

const CHUNK = 5000;

function* sweepSteps(db: Db, dataDir: string): Generator<void, void, void> {
  const st = readState(db);
  const keep = new Set<string>();
  if (st.base_file) {
    keep.add(st.base_file);
    keep.add(indexFileFor(st.base_file));
  }
  removeOrphanFiles(dataDir, keep);
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
