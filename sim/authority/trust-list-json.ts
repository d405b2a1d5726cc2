/**
 * Trust list JSON (docs/CREDENTIALS.md section 5) for the test authority's keys; version 2
 * lists carry the offline `root` and, since spec 1.2, `expires` (by default 90 days after the
 * authority's clock, as a root that re-signs every 30 to 90 days would set it).
 * @module
 */
import { kidOf } from '../../firmware-ts/verify/kid.js';
import type { SimKey } from './keys.js';
import type { RootJson } from './root-keys.js';

export interface TrustEntryJson {
  kid: string;
  iss: string;
  key: string;
  /** Absent for Ed25519 (the default), so an Ed25519 list reads exactly as before 1.2. */
  alg?: 'SM2';
  types: string[];
  notBefore: string;
  notAfter: string;
}

export interface TrustListJson {
  version: number;
  expires?: string;
  root?: RootJson;
  issuers: TrustEntryJson[];
}

export function trustEntry(key: SimKey, iss: string, types: string[], window: { notBefore?: string; notAfter?: string } = {}): TrustEntryJson {
  return {
    kid: Buffer.from(key.kid).toString('base64url'),
    iss,
    key: Buffer.from(key.publicKey).toString('base64url'),
    ...(key.alg === 'SM2' ? { alg: 'SM2' as const } : {}),
    types,
    notBefore: window.notBefore ?? '2020-01-01T00:00:00Z',
    notAfter: window.notAfter ?? '2040-01-01T00:00:00Z',
  };
}

/** How long the test authority's signed documents run by default. */
export const DEFAULT_EXPIRY_DAYS = 90;

/** `expires` `days` days after `nowMs`, written as the spec writes an instant (whole seconds, Z). */
export function expiresAfter(nowMs: number, days = DEFAULT_EXPIRY_DAYS): string {
  return new Date(Math.floor(nowMs / 1000) * 1000 + days * 86_400_000).toISOString().replace('.000Z', 'Z');
}

/**
 * The entry of an SM2 key moved off the curve (the last byte of y changed), its kid recomputed
 * over the new bytes: a list carrying it cannot serve (docs/CREDENTIALS.md section 5).
 */
export function offCurveEntry(entry: TrustEntryJson): TrustEntryJson {
  if (entry.alg !== 'SM2') throw new Error('only an SM2 key can be moved off the curve (roadscan sim init --alg SM2)');
  const key = Buffer.from(entry.key, 'base64url');
  key[64]! ^= 0x01;
  return { ...entry, kid: kidOf(key).toString('base64url'), key: key.toString('base64url') };
}
