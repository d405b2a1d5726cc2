/**
 * Text from a QR code is a stranger's input, even when validly signed: before it reaches a
 * screen or a log it loses control characters, bidirectional overrides and excess length,
 * and personal identifiers are masked.
 * @module
 */

import { displaySafe } from '../core/text-safety.js';

export { displaySafe };

/** A name shows its first and last character: 张*明, 张*, Z***g. */
export function maskName(name: string): string {
  const chars = Array.from(displaySafe(name));
  if (chars.length <= 1) return chars.join('');
  if (chars.length === 2) return `${chars[0]}*`;
  return `${chars[0]}${'*'.repeat(Math.min(chars.length - 2, 8))}${chars[chars.length - 1]}`;
}

/**
 * An identifier (ID, licence number) keeps its first 3 and last 4 characters. Issuers send
 * masked ID numbers already; masking again costs nothing and protects against one that did not.
 */
export function maskId(id: string): string {
  const chars = Array.from(displaySafe(id));
  if (chars.length <= 7) return chars.map((c, i) => (i === 0 ? c : '*')).join('');
  return `${chars.slice(0, 3).join('')}${'*'.repeat(chars.length - 7)}${chars.slice(-4).join('')}`;
}
