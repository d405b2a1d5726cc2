/**
 * The public face of `status/sync/`: everything outside this folder imports from here, never
 * from the files inside, so the folder can change within without breaking its users.
 * @module
 */
export * from './background-sync.js';
export * from './delta-applier.js';
export * from './delta-receiver.js';
export * from './http-get.js';
export * from './manifest.js';
export * from './snapshot-receiver.js';
export * from './sync-downloads.js';
export * from './sync-error.js';
export * from './sync-plan.js';
export * from './sync.js';
export * from './resumable-download.js';
export * from './signed-updates.js';
