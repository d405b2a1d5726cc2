/**
 * The public face of `status/list/`: everything outside this folder imports from here, never
 * from the files inside, so the folder can change within without breaking its users.
 * @module
 */
export * from './leftover-sweep.js';
export * from './relaxed-sync.js';
export * from './snapshot-reader.js';
export * from './sparse-index.js';
export * from './status-codes.js';
export * from './status-file-format.js';
export * from './status-files.js';
export * from './status-list-store.js';
export * from './status-schema.js';
export * from './status-source.js';
export * from './sync-lock.js';
