/**
 * What the verifier needs from the status list: a lookup and the age of the list.
 * `StatusListStore` implements it over SQLite; the verifier never knows how it is stored.
 * @module
 */

export interface StatusSource {
  /** The status byte held for a 16-byte entry key, or 0 when the key is not listed. */
  statusOf(key: Uint8Array): number;
  /** `iat` (seconds) of the last verified manifest, or null when no list was ever verified. */
  listIat(): number | null;
}

/** A scanner that has never synced: nothing listed, and every scan carries STATUS_LIST_STALE. */
export const NEVER_SYNCED: StatusSource = { statusOf: () => 0, listIat: () => null };
