/**
 * A refused or failed sync. The message is one line saying why (a network failure, a bad
 * signature, a hash that does not match...), fit for a terminal, a log and `--json` output: a
 * server's text in it is made one printable line by core/text-safety.ts's `oneLine`.
 * @module
 */

export class SyncError extends Error {
  override name = 'SyncError';
}
