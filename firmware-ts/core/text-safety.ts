/**
 * The one rule for text that reaches a person: a screen, a terminal, a log line, an error
 * message. A QR code, a serial line, a server's reply are input from strangers, and a single
 * escape (C0, DEL, C1), a bidirectional override or a zero-width character could forge a log
 * line, steer a terminal or hide text on a page. Every filter in the project uses this module,
 * imported by its own name (no copies, no re-exports), so the screen, the logs, the errors and
 * the drivers never disagree about what is safe.
 * @module
 */

/**
 * Control characters (C0, DEL, C1: `\p{Cc}`), format characters (bidi controls and isolates,
 * zero-width space and joiners, word joiner, BOM, soft hyphen: `\p{Cf}`), and the line and
 * paragraph separators U+2028/U+2029 (`\p{Zl}`, `\p{Zp}`).
 */
const UNSAFE_CLASS = '[\\p{Cc}\\p{Cf}\\p{Zl}\\p{Zp}]';
const UNSAFE_ONE = new RegExp(UNSAFE_CLASS, 'u');
const UNSAFE_ALL = new RegExp(UNSAFE_CLASS, 'gu');
const UNSAFE_RUNS = new RegExp(`${UNSAFE_CLASS}+`, 'gu');

/** True when `text` holds any character this module would remove. */
export function hasUnsafeText(text: string): boolean {
  return UNSAFE_ONE.test(text);
}

/** `text` with every unsafe character replaced by `replacement` (default: removed). */
export function stripUnsafe(text: string, replacement = ''): string {
  return text.replace(UNSAFE_ALL, replacement);
}

/** Cuts `text` to at most `max` code points, marking the cut with an ellipsis. */
export function capLength(text: string, max: number): string {
  if (text.length <= max) return text;
  const chars = Array.from(text);
  return chars.length > max ? `${chars.slice(0, Math.max(0, max - 1)).join('')}…` : text;
}

/** Any value as one printable line of at most `max` characters: runs of unsafe characters become a space. */
export function oneLine(text: unknown, max = 200): string {
  return capLength(String(text).replace(UNSAFE_RUNS, ' ').trim(), max);
}

/** Stranger's text for a screen: unsafe characters removed, trimmed, at most `max` characters. */
export function displaySafe(text: string, max = 64): string {
  return capLength(stripUnsafe(text).trim(), max);
}

/** Text for a log line: unsafe characters shown as U+FFFD (so a reader sees something was there). */
export function safeLogText(text: string, max = 512): string {
  return capLength(stripUnsafe(text, '\uFFFD'), max + 1);
}
