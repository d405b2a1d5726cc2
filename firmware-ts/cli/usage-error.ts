/**
 * An error the user can fix (bad option, unreadable file): printed as one line, exit status 2.
 * @module
 */

export class UsageError extends Error {
  override name = 'UsageError';
}
