/**
 * Where a key or a value sits in a JSON text, as a line and a column, so `roadscan config check`
 * can point at the place to fix (`config.json:12:5: audit.retentionDays: ...`). A small scan of
 * its own, not a second parser: it runs only on text JSON.parse already accepted, walks down the
 * one path asked for, skips everything else by counting brackets outside strings (no recursion,
 * so no depth to exhaust), and so costs one pass at most over a file bounded in size.
 * @module
 */

/** A 1-based line and column (in UTF-16 units, as editors count). */
export interface Position {
  line: number;
  column: number;
}

/** The line and column of `offset` in `text`. */
export function positionAt(text: string, offset: number): Position {
  const end = Math.max(0, Math.min(offset, text.length));
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < end; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: end - lineStart + 1 };
}

/**
 * The offset JSON.parse's message names for a syntax error (`... in JSON at position 17`), the
 * end of the text for one that ran out, else null.
 */
export function syntaxErrorOffset(message: string, text: string): number | null {
  const m = /at position (\d+)/.exec(message);
  if (m) return Math.min(Number(m[1]), text.length);
  if (/end of JSON input/i.test(message)) return text.length;
  return null;
}

function skipSpace(text: string, i: number): number {
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c !== 32 && c !== 9 && c !== 10 && c !== 13) break;
    i++;
  }
  return i;
}

/** The offset just past the string starting at `i` (an opening quote). */
function skipString(text: string, i: number): number {
  for (i++; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 92) i++;
    else if (c === 34) return i + 1;
  }
  return text.length;
}

/** The offset just past the value starting at `i`. */
function skipValue(text: string, i: number): number {
  const c = text[i];
  if (c === '"') return skipString(text, i);
  if (c !== '{' && c !== '[') {
    while (i < text.length && !',}] \t\r\n'.includes(text[i]!)) i++;
    return i;
  }
  let depth = 0;
  while (i < text.length) {
    const ch = text[i]!;
    if (ch === '"') {
      i = skipString(text, i);
      continue;
    }
    if (ch === '{' || ch === '[') depth++;
    else if (ch === '}' || ch === ']') {
      depth--;
      if (depth === 0) return i + 1;
    }
    i++;
  }
  return i;
}

/** Where a path ends up: the offset of its key (for an object member), and of its value. */
export interface Located {
  keyOffset: number | null;
  valueOffset: number;
  /** How many steps of the path were found (fewer than asked: the rest is missing). */
  found: number;
}

/**
 * Finds `path` (object keys and array indexes) in the JSON `text`: the deepest part of it that
 * exists, with the offsets of its key and its value. A key written twice counts as JSON.parse
 * counts it: the last one. Null when the text does not start with a JSON value.
 */
export function locate(text: string, path: readonly (string | number)[]): Located | null {
  let at = skipSpace(text, text.charCodeAt(0) === 0xfeff ? 1 : 0);
  if (at >= text.length) return null;
  let result: Located = { keyOffset: null, valueOffset: at, found: 0 };
  for (const step of path) {
    const open = text[at];
    let next: { key: number | null; value: number } | null = null;
    if (open === '{' && typeof step === 'string') {
      let i = skipSpace(text, at + 1);
      while (i < text.length && text[i] === '"') {
        const keyStart = i;
        const keyEnd = skipString(text, i);
        let key: unknown;
        try {
          key = JSON.parse(text.slice(keyStart, keyEnd));
        } catch {
          return result;
        }
        i = skipSpace(text, keyEnd);
        if (text[i] !== ':') return result;
        const valueStart = skipSpace(text, i + 1);
        if (key === step) next = { key: keyStart, value: valueStart };
        i = skipSpace(text, skipValue(text, valueStart));
        if (text[i] !== ',') break;
        i = skipSpace(text, i + 1);
      }
    } else if (open === '[' && typeof step === 'number') {
      let i = skipSpace(text, at + 1);
      for (let n = 0; i < text.length && text[i] !== ']'; n++) {
        if (n === step) {
          next = { key: null, value: i };
          break;
        }
        i = skipSpace(text, skipValue(text, i));
        if (text[i] !== ',') break;
        i = skipSpace(text, i + 1);
      }
    }
    if (!next) return result;
    at = next.value;
    result = { keyOffset: next.key, valueOffset: next.value, found: result.found + 1 };
  }
  return result;
}
