/**
 * The per-boot secret that proves a confirm, refuse or clear comes from the kiosk page. The service
 * makes it at start and writes it to a file only the kiosk user can read; scripts/deploy/kiosk.sh puts it
 * in the page URL's fragment (never sent in a request line, never in a log) and the page sends it
 * back as a header. Any other local process can reach the loopback port and read the event stream,
 * but not the file. (Checking the peer's uid instead needs SO_PEERCRED, which Node cannot read
 * without a native addon.)
 * @module
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { chmodSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

export const KIOSK_SECRET_HEADER = 'x-roadscan-kiosk';

/** 32 random bytes, base64url (43 characters). */
export function newKioskSecret(): string {
  return randomBytes(32).toString('base64url');
}

/** Writes the secret by an atomic rename, mode 0600 (the service's user is the kiosk user), or 0640 when `groupReadable` (the kiosk group owns the folder). */
export function writeKioskSecret(file: string, secret: string, groupReadable = false): void {
  mkdirSync(dirname(file), { recursive: true, mode: 0o750 });
  const mode = groupReadable ? 0o640 : 0o600;
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, `${secret}\n`, { mode });
  chmodSync(tmp, mode);
  renameSync(tmp, file);
}

/** The header carries exactly this secret; compared in constant time. */
export function kioskSecretMatches(expected: string, header: string | string[] | undefined): boolean {
  if (typeof header !== 'string' || header.length > 128) return false;
  const a = Buffer.from(expected, 'utf8');
  const b = Buffer.from(header, 'utf8');
  return a.length === b.length && timingSafeEqual(a, b);
}
