/**
 * Text from a QR code is a stranger's input, even when validly signed: before it reaches a
 * screen or a log it loses control characters, bidirectional overrides and excess length,
 * and personal identifiers are masked.
 * @module
 */

// C0, DEL, C1, zero-width and bidi controls, line/paragraph separators, BOM.
// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff\ufff9-\ufffb]/g;
const MAX_DISPLAY = 64;

/** Removes every character that could steer a terminal or a page, and caps the length. */
export function displaySafe(text: string, max = MAX_DISPLAY): string {
  const clean = text.replace(UNSAFE, '').trim();
  const chars = Array.from(clean);
  return chars.length > max ? `${chars.slice(0, max - 1).join('')}…` : clean;
}

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
