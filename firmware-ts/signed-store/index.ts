/**
 * The public face of `signed-store/`: the signed documents (trust list, rules) sync accepted,
 * written by sync and read by app/ (the rule choosing between them and the configured ones is
 * core/configured-or-synced.ts).
 * @module
 */
export { SignedStore, type HeldRulesRow, type SyncedDocuments } from './signed-store.js';
