/**
 * `roadscan provision --replace-trust`: forgets, in one transaction, what sync brought under the
 * trust being replaced: the trust list it accepted, the rules documents, the status list and its
 * validator. The configured anchor is then the trust in force, and the next sync takes its
 * publication's list whole, whatever its seq.
 * @module
 */
import type { Db } from '../store/database.js';
import { forgetHeldList } from '../status/list/index.js';
import { SignedStore } from './signed-store.js';

export function forgetSyncedTrust(db: Db): void {
  const signed = new SignedStore(db);
  db.transaction(() => {
    forgetHeldList(db);
    signed.forget();
  }).immediate();
}
