/**
 * The status list a command checks against: the store the last sync left in the database.
 * A scanner that never synced holds an empty list whose `listIat()` is null, so every scan
 * carries STATUS_LIST_STALE rather than passing as "nothing revoked".
 * @module
 */
import { StatusListStore } from '../status/list/index.js';
import { statusDataDir } from '../status/list/index.js';
import type { Runtime } from './runtime.js';

export function openStatusSource(rt: Runtime): StatusListStore {
  return StatusListStore.open(rt.db, statusDataDir(rt.dbFile));
}
