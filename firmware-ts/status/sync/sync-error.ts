/**
 * A refused or failed sync. The message is one line saying why (a network failure, a bad
 * signature, a hash that does not match...), fit for a terminal, a log and `--json` output.
 * @module
 */

import { oneLine as coreOneLine } from '../../core/text-safety.js';

export class SyncError extends Error {
  override name = 'SyncError';
}

/** Keeps a message to one printable line: a server's text is input from a stranger. */
export function oneLine(text: string, max = 300): string {
  return coreOneLine(text, max);
}
