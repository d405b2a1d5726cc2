/**
 * The one error of a signed document that may not replace what is held (docs/STATUS-LIST.md
 * "Signed documents"): its message is the one line the sync, provisioning or the log says.
 * In a file of its own so the rules of acceptance (trust-update.ts, rules-update.ts) and the
 * expiry rule (expiry.ts) share it without importing each other.
 * @module
 */
export class SignedUpdateError extends Error {
  override name = 'SignedUpdateError';
}
