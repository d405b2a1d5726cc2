/**
 * Status-list entries (docs/STATUS-LIST.md): the entry key of a credential and the meaning of a
 * status byte.
 * @module
 */
import { createHash } from 'node:crypto';
import type { ReasonCode } from '../../core/reasons.js';

/** First 16 bytes of SHA-256(iss as UTF-8 || 0x00 || cti). */
export function entryKey(iss: string, cti: Uint8Array): Buffer {
  return createHash('sha256').update(iss, 'utf8').update(ZERO).update(cti).digest().subarray(0, 16);
}
const ZERO = new Uint8Array(1);

const STATUS_REASONS: readonly (ReasonCode | null)[] = [
  null,
  'REVOKED',
  'SUSPENDED',
  'OVERDUE_MEDICAL',
  'OVERDUE_REVIEW',
  'ANNOUNCED_INVALID',
  'AUTHORIZATION_CANCELLED',
  'TICKET_REFUNDED',
  'TICKET_USED',
];

/** The reason a status byte stands for; 0 is good; an unknown byte counts as revoked. */
export function reasonForStatus(status: number): ReasonCode | null {
  if (status === 0) return null;
  return STATUS_REASONS[status] ?? 'REVOKED';
}

export function isKnownStatus(status: number): boolean {
  return Number.isInteger(status) && status >= 0 && status < STATUS_REASONS.length;
}
