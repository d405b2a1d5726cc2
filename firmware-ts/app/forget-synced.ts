/**
 * `roadscan provision --replace-trust`: forgets, in one transaction, what sync brought under the
 * trust being replaced: the trust list it accepted and the rules documents (signed-store/), the
 * status list and its validator (status/list). The configured anchor is then the trust in force,
 * and the next sync takes its publication's list whole, whatever its seq.
 * @module
 */
import { SignedStore } from '../signed-store/index.js';
import { forgetHeldList, migrateStatusList } from '../status/list/index.js';
import type { Db } from '../store/database.js';

export function forgetSyncedTrust(db: Db): void {
  migrateStatusList(db);
  const signed = new SignedStore(db);
  db.transaction(() => {
    forgetHeldList(db);
    signed.forget();
  }).immediate();
}
