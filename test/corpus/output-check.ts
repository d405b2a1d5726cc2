/**
 * Shape of one `verify --json` answer (docs/CLI.md) and the display-safety rule: no control character in
 * any string the scanner prints, whatever the input held.
 * @module
 */
import { SPEC_REASON_ORDER, type Reason, type Verdict } from './expectations.js';

export interface Answer {
  verdict: Verdict;
  reasons: Reason[];
  type: string | null;
  fields: Record<string, unknown>;
  ms: number;
}

const TYPES = new Set(['DL', 'VR', 'VA', 'VD', 'TK']);
// C0, DEL and C1 controls (U+0000-U+001F, U+007F-U+009F).
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

/** Parses one output line; returns the problems found (empty when the line is a well-formed answer). */
export function parseAnswer(line: string): { answer: Answer | null; problems: string[] } {
  const problems: string[] = [];
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return { answer: null, problems: [`not JSON: ${line.slice(0, 120)}`] };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { answer: null, problems: ['not an object'] };
  const a = value as Record<string, unknown>;
  if (!['accept', 'warn', 'reject'].includes(a.verdict as string)) problems.push(`verdict ${String(a.verdict)}`);
  if (!Array.isArray(a.reasons) || !a.reasons.every((r) => (SPEC_REASON_ORDER as readonly string[]).includes(r as string))) {
    problems.push(`reasons ${JSON.stringify(a.reasons)}`);
  }
  if (!(a.type === null || TYPES.has(a.type as string))) problems.push(`type ${JSON.stringify(a.type)}`);
  if (typeof a.fields !== 'object' || a.fields === null || Array.isArray(a.fields)) problems.push('fields is not an object');
  if (typeof a.ms !== 'number' || !Number.isFinite(a.ms)) problems.push(`ms ${JSON.stringify(a.ms)}`);
  const bad = controlCharacterPaths(value);
  if (bad.length > 0) problems.push(`control characters in ${bad.join(', ')}`);
  return { answer: problems.length === 0 ? (value as Answer) : null, problems };
}

/** Paths of strings (keys or values, at any depth) holding a control character. */
export function controlCharacterPaths(value: unknown, path = '$'): string[] {
  if (typeof value === 'string') return CONTROL.test(value) ? [path] : [];
  if (Array.isArray(value)) return value.flatMap((v, i) => controlCharacterPaths(v, `${path}[${i}]`));
  if (typeof value === 'object' && value !== null) {
    return Object.entries(value).flatMap(([k, v]) => [...(CONTROL.test(k) ? [`${path} key ${JSON.stringify(k)}`] : []), ...controlCharacterPaths(v, `${path}.${k}`)]);
  }
  return [];
}
