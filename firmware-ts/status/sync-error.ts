/**
 * A refused or failed sync. The message is one line saying why (a network failure, a bad
 * signature, a hash that does not match...), fit for a terminal, a log and `--json` output.
 * @module
 */

export class SyncError extends Error {
  override name = 'SyncError';
}

/** Keeps a message to one printable line: a server's text is input from a stranger. */
export function oneLine(text: string, max = 300): string {
  // eslint-disable-next-line no-control-regex
  const clean = text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g, ' ').trim();
  return clean.length > max ? `${clean.slice(0, max - 1)}…` : clean;
}
