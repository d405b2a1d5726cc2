/**
 * The one expiry rule of every signed document (docs/STATUS-LIST.md "Signed documents", spec 1.2):
 * a trust list with a `root` and every rules document carries `expires`, an ISO-8601 instant, as
 * TUF's metadata does, so whoever holds only the online SL key can keep a scanner on old trust or
 * rules (a freeze) no longer than the documents it holds run.
 *
 * - Taken (sync, provisioning, an anchor installed by hand): one without `expires`, or already
 *   past it at the check instant, cannot serve and is refused (`refuseUnlessCurrent`).
 * - Held: one past its `expires` keeps serving (an offline scanner must go on), but is stale:
 *   scans carry TRUST_STALE and health names it (`heldExpiry`). One held from before 1.2, without
 *   `expires`, counts as past it.
 *
 * The instant `expires` names is the first at which the document no longer serves (`now >=
 * expires`, as a credential's `exp`). The check instant is the caller's: the clock-floor time
 * (`Runtime.time().nowSec`), so a clock set back below the floor checks at the floor. Pure; every
 * document kind (trust, calendar-cn, adoption, policy) goes through these same functions.
 * @module
 */
import { parseIsoInstant } from '../verify/trust-list.js';
import { SignedUpdateError } from './signed-update-error.js';

/** `expires` as written and as seconds since the epoch. */
export interface Expiry {
  text: string;
  sec: number;
}

/** A signed document the scanner holds, as status, health and the scans see it. */
export interface HeldDocument {
  /** `trust`, or the rules name (`calendar-cn`, `adoption`, `policy`). */
  name: string;
  version: number;
  /** Null: held from before 1.2, without `expires` (counts as past it). */
  expires: Expiry | null;
}

/** Where a held document stands at an instant. */
export interface HeldExpiry {
  name: string;
  version: number;
  expires: string | null;
  /** True once past `expires` (or without one): scans carry TRUST_STALE. */
  stale: boolean;
  /** Seconds until `expires` (negative once past); null without `expires`. */
  secondsLeft: number | null;
}

export class ExpiryError extends Error {
  override name = 'ExpiryError';
}

const MAX_EXPIRES_CHARS = 40;

/**
 * `expires` of a document's JSON: null when absent; ExpiryError when present but not an
 * ISO-8601 instant (a document with such a date cannot serve, docs/CREDENTIALS.md section 5).
 */
export function readExpires(json: Record<string, unknown>): Expiry | null {
  const v = json.expires;
  if (v === undefined) return null;
  const sec = typeof v === 'string' && v.length <= MAX_EXPIRES_CHARS ? parseIsoInstant(v) : null;
  if (sec === null) throw new ExpiryError('expires: not an ISO-8601 instant (YYYY-MM-DDTHH:MM:SSZ or with an offset)');
  return { text: v as string, sec };
}

/** Whether a document with this `expires` still serves at `nowSec` (none: it does not). */
export function servesAt(expires: Expiry | null, nowSec: number): boolean {
  return expires !== null && nowSec < expires.sec;
}

/** The check instant as `expires` is written, for messages. */
export function instantText(sec: number): string {
  return new Date(sec * 1000).toISOString().replace('.000Z', 'Z');
}

/**
 * Refuses a document being taken (sync, provisioning, an anchor) that carries no `expires` or is
 * already past it at `nowSec`; `what` names it in the one line (`trust list version 3`).
 */
export function refuseUnlessCurrent(what: string, expires: Expiry | null, nowSec: number): void {
  if (expires === null) throw new SignedUpdateError(`${what} carries no expires: it cannot serve (spec 1.2)`);
  if (!servesAt(expires, nowSec)) throw new SignedUpdateError(`${what} expired at ${expires.text} (checked at ${instantText(nowSec)}): it cannot serve`);
}

/** Where a held document stands at `nowSec`. */
export function heldExpiry(doc: HeldDocument, nowSec: number): HeldExpiry {
  return {
    name: doc.name,
    version: doc.version,
    expires: doc.expires?.text ?? null,
    stale: !servesAt(doc.expires, nowSec),
    secondsLeft: doc.expires === null ? null : doc.expires.sec - nowSec,
  };
}

/** The held documents past their `expires` at `nowSec`, in the order given. */
export function staleDocuments(docs: readonly HeldDocument[], nowSec: number): HeldExpiry[] {
  return docs.map((d) => heldExpiry(d, nowSec)).filter((d) => d.stale);
}

/** One line naming stale documents: `trust list version 2 (expired 2026-06-01T00:00:00Z)`. */
export function describeStale(stale: readonly HeldExpiry[]): string {
  return stale
    .map((d) => `${d.name === 'trust' ? 'trust list' : `rules ${d.name}`} version ${d.version} (${d.expires === null ? 'no expires' : `expired ${d.expires}`})`)
    .join(', ');
}
