/**
 * The one input-check helper of the documents a scanner reads at every start (the trust list,
 * the rules data): small checks that each either hand back the value, typed, or throw one
 * `InputCheckError` of one shape, `PATH: PROBLEM` (`issuers.0.kid: not base64url`), that the
 * parser of each document prefixes with its name. Written by hand, in the style of the noble
 * libraries, rather than with a schema library: the checks are few, and loading and building a
 * schema library was most of a cold `roadscan verify`. Every check is bounded before it looks at
 * a value's contents (strings by length, arrays by count), so hostile input costs little.
 * @module
 */

/** A value that is not what the document allows: `path` (dot-separated, '' for the document itself) and what is wrong. */
export class InputCheckError extends Error {
  override name = 'InputCheckError';
  constructor(
    readonly path: string,
    readonly problem: string,
  ) {
    super(`${path || '(top level)'}: ${problem}`);
  }
}

/** Throws the one error shape. */
export function refuse(path: string, problem: string): never {
  throw new InputCheckError(path, problem);
}

/** The path of `key` within `path`. */
export function at(path: string, key: string | number): string {
  return path === '' ? String(key) : `${path}.${key}`;
}

/** What a value is, in the words of a message: `null`, `array`, or its `typeof`. */
export function kindOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  return typeof v;
}

/** A plain JSON object (not null, not an array). */
export function object(v: unknown, path: string): Record<string, unknown> {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) refuse(path, `expected object, received ${kindOf(v)}`);
  return v as Record<string, unknown>;
}

/** An array of at most `max` items. */
export function array(v: unknown, path: string, max: number): unknown[] {
  if (!Array.isArray(v)) refuse(path, `expected array, received ${kindOf(v)}`);
  if (v.length > max) refuse(path, `more than ${max} items`);
  return v;
}

/** An array of at most `max` items, each checked by `item` (handed the item's path). */
export function arrayOf<T>(v: unknown, path: string, max: number, item: (x: unknown, path: string) => T): T[] {
  return array(v, path, max).map((x, i) => item(x, at(path, i)));
}

/** An integer in [min, max]; `problem` replaces the default message. */
export function integer(v: unknown, path: string, min: number, max: number, problem?: string): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min || v > max) {
    refuse(path, problem ?? (typeof v === 'number' ? `not an integer from ${min} to ${max}` : `expected number, received ${kindOf(v)}`));
  }
  return v;
}

/** A positive integer (a document's `version`). */
export function positiveInteger(v: unknown, path: string): number {
  return integer(v, path, 1, Number.MAX_SAFE_INTEGER, 'not a positive integer');
}

/**
 * A string of `min` to `max` UTF-16 units; with `test`, one it accepts (`problem` says what was
 * expected). The length is checked first, so `test` never sees more than `max` units.
 */
export function string(v: unknown, path: string, max: number, opts: { min?: number; test?: (s: string) => boolean; problem?: string } = {}): string {
  if (typeof v !== 'string') refuse(path, `expected string, received ${kindOf(v)}`);
  const min = opts.min ?? 0;
  if (v.length < min || v.length > max) refuse(path, opts.problem ?? (min > 0 ? `expected ${min} to ${max} characters` : `longer than ${max} characters`));
  if (opts.test && !opts.test(v)) refuse(path, opts.problem ?? 'not an accepted value');
  return v;
}

/** A string matching `re` (at most `max` units), `problem` saying what was expected. */
export function matching(v: unknown, path: string, max: number, re: RegExp, problem: string): string {
  return string(v, path, max, { test: (s) => re.test(s), problem });
}

/** An optional value: `undefined` stays `undefined`, anything else is checked by `check`. */
export function optional<T>(v: unknown, path: string, check: (x: unknown, path: string) => T): T | undefined {
  return v === undefined ? undefined : check(v, path);
}
