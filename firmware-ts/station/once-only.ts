/**
 * The once-only seam (docs/DESIGN.md, "A station with several gates and windows"): a ticket
 * boards once and is swapped for a paper voucher once, across every gate and window of a station.
 *
 * This file is the contract between the checks and whatever keeps the record: this device's
 * SQLite database alone (`LocalOnceOnlyStore`), or the station's replicated store with the local
 * record as its fallback. It imports nothing, so both sides can depend on it without pulling in
 * each other. A store answers `offline: true` when only this device's own record answered; the
 * scan then carries STATION_OFFLINE (docs/CREDENTIALS.md section 6).
 * @module
 */

export type OnceAction = 'boarded' | 'voucher';

export interface OnceRecord {
  action: OnceAction;
  /** The device id that made the record. */
  device: string;
  /** When the record was made, seconds since the epoch (the checks' instant). */
  atSec: number;
  /** The scan the record answers (the audit log's scan id). */
  scanId?: string;
}

export type ClaimOutcome = { result: 'claimed'; offline: boolean } | { result: 'taken'; by: OnceRecord; offline: boolean };

export interface OnceOnlyStore {
  /** What is recorded for this ticket key and action, if anything (changes nothing). */
  lookup(key: string, action: OnceAction): Promise<{ record: OnceRecord | null; offline: boolean }>;
  /** Records `rec` unless a record for this key and action exists: atomic, first writer wins. */
  claim(key: string, rec: OnceRecord, expiresAtSec: number): Promise<ClaimOutcome>;
  /** Undoes this device's own claim (a refused boarding), only if the held record is `rec`. */
  release(key: string, rec: OnceRecord): Promise<{ released: boolean; offline: boolean }>;
  close(): Promise<void>;
}

export const ONCE_ACTIONS: readonly OnceAction[] = ['boarded', 'voucher'];

/** A ticket key: the hex status-list key of the credential, as the audit log keeps it. */
const ONCE_KEY = /^[0-9a-f]{32}$/;
/** Printable, bounded text for device and scan ids (no control, format or separator characters). */
const ONCE_TEXT = /^[^\p{Cc}\p{Cf}\p{Zl}\p{Zp}]{1,64}$/u;

export function isOnceKey(key: unknown): key is string {
  return typeof key === 'string' && ONCE_KEY.test(key);
}

/**
 * Whether `rec` is a well-formed record. Stores check what they are given and what they read back
 * (a replicated record is input from another device): a bad one is an error, never a verdict.
 */
export function isOnceRecord(rec: unknown): rec is OnceRecord {
  if (typeof rec !== 'object' || rec === null) return false;
  const r = rec as Record<string, unknown>;
  return (
    (r.action === 'boarded' || r.action === 'voucher') &&
    typeof r.device === 'string' &&
    ONCE_TEXT.test(r.device) &&
    Number.isSafeInteger(r.atSec) &&
    (r.atSec as number) >= 0 &&
    (r.scanId === undefined || (typeof r.scanId === 'string' && ONCE_TEXT.test(r.scanId)))
  );
}

/** Same action, device, instant and scan: the record a release may undo. */
export function sameOnceRecord(a: OnceRecord, b: OnceRecord): boolean {
  return a.action === b.action && a.device === b.device && a.atSec === b.atSec && (a.scanId ?? null) === (b.scanId ?? null);
}

/** Throws a TypeError naming what is wrong: a store's own inputs come from this program. */
export function assertOnceInput(key: string, rec?: OnceRecord, expiresAtSec?: number): void {
  if (!isOnceKey(key)) throw new TypeError('once-only: key must be 32 lower-case hex digits');
  if (rec !== undefined && !isOnceRecord(rec)) throw new TypeError('once-only: malformed record');
  if (expiresAtSec !== undefined && !Number.isSafeInteger(expiresAtSec)) throw new TypeError('once-only: expiresAtSec must be an integer');
}
