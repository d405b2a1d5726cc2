/**
 * Device and library messages are shown to people and written to logs: one line, bounded,
 * no control characters (a terminal must never receive an escape sequence from a device).
 * @module
 */

// eslint-disable-next-line no-control-regex
const CONTROLS = /[\u0000-\u001f\u007f-\u009f]+/g;

/** `text` as one printable line of at most `max` characters. */
export function oneLine(text: unknown, max = 200): string {
  const s = String(text).replace(CONTROLS, ' ').trim();
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}
