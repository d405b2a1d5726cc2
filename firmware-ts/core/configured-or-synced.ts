/**
 * The one rule for a signed document a device can hold twice (docs/CREDENTIALS.md section 5,
 * docs/STATUS-LIST.md "Signed documents"): the configured (or shipped) one, unless sync accepted
 * one of a higher version; the synced one alone when none is configured. The trust list
 * (app/trust.ts) and each rules document (rules/rules-in-force.ts, app/policy-in-force.ts) are
 * chosen by it, so no command and no part of the service disagrees about which one counts.
 * @module
 */

export type HeldSource = 'configured' | 'synced';

/** The document in force and where it came from; null when neither is held. Equal versions: the configured one. */
export function configuredOrSynced<T extends { version: number }>(configured: T | null, synced: T | null): { doc: T; source: HeldSource } | null {
  if (synced && (!configured || synced.version > configured.version)) return { doc: synced, source: 'synced' };
  return configured ? { doc: configured, source: 'configured' } : null;
}
