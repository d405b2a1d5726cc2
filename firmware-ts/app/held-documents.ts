/**
 * The signed documents a scanner holds (docs/STATUS-LIST.md "Signed documents", spec 1.2), as
 * the scans, `status --json`, `/healthz`, the metrics, the screen and `doctor` all see them: the
 * trust list in force when it has a `root` (a version-1 list is configuration, not a signed
 * document), and each rules document in force that sync accepted (the files shipped in config/
 * or named by the configuration are not signed documents). Generic over the rules names, so a
 * new rules document (`policy`) is held, shown and judged without a line here.
 * @module
 */
import { readExpires, type Expiry, type HeldDocument } from '../signed/expiry.js';
import type { TrustList } from '../verify/trust-list.js';

export type { HeldDocument };

/** The trust list, when it is a signed document (it has a root). */
export function heldTrust(trust: TrustList): HeldDocument[] {
  return trust.root ? [{ name: 'trust', version: trust.version, expires: trust.expires }] : [];
}

/**
 * The synced rules documents in force: `source` says which names came from sync, `rows` holds
 * their JSON as accepted. One whose `expires` no longer reads counts as having none (past it).
 */
export function heldRules(source: Readonly<Record<string, 'configured' | 'synced'>>, rows: ReadonlyMap<string, { version: number; json: unknown }>): HeldDocument[] {
  const out: HeldDocument[] = [];
  for (const [name, from] of Object.entries(source)) {
    const row = rows.get(name);
    if (from !== 'synced' || !row) continue;
    let expires: Expiry | null = null;
    try {
      const json = row.json;
      if (json !== null && typeof json === 'object' && !Array.isArray(json)) expires = readExpires(json as Record<string, unknown>);
    } catch {
      expires = null;
    }
    out.push({ name, version: row.version, expires });
  }
  return out;
}
