/**
 * The status list as the command line uses it (`sync`, `status`, `doctor`): its store, the one
 * sync round, and the expiry of the held signed documents. The command line reaches the store and
 * sync only through here (test/architecture/), loaded by the commands that need them.
 * @module
 */
export { StatusListStore, statusDataDir } from '../status/list/index.js';
export { syncOnce, type SyncProgress } from '../status/sync/index.js';
export { heldExpiry } from '../signed/expiry.js';
