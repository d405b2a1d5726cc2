/**
 * What may reach a log line. A QR code is input from a stranger and the holder's data is personal:
 * log objects are copied with personal keys dropped (at any depth), strings stripped of control and
 * invisible formatting characters (which could forge lines or hide text in a terminal) and cut to
 * a bounded length, and nesting, arrays and key counts are bounded too.
 * @module
 */

/** Keys whose values are personal or raw holder input; compared case-insensitively. */
const PERSONAL_KEYS: ReadonlySet<string> = new Set(
  [
    'fields',
    'name',
    'names',
    'holder',
    'holderName',
    'fullName',
    'idNumber',
    'idNo',
    'id_number',
    'idCard',
    'plate',
    'plateNumber',
    'plateNo',
    'vin',
    'engineNo',
    'birth',
    'birthDate',
    'dob',
    'address',
    'phone',
    'mobile',
    'text',
    'qr',
    'qrText',
    'raw',
    'payload',
    'claims',
    'dat',
    'credential',
    'passenger',
  ].map((k) => k.toLowerCase()),
);

import { safeLogText } from '../core/text-safety.js';

const MAX_DEPTH = 5;
const MAX_ITEMS = 50;

export const REDACTED = '[redacted]';

/** True for a key that must never carry its value into a log. */
export function isPersonalKey(key: string): boolean {
  return PERSONAL_KEYS.has(key.toLowerCase());
}

/** A copy of a log value with personal keys redacted and every string made safe. */
export function safeLogValue(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return safeLogText(value);
  if (value === null || typeof value !== 'object') {
    return typeof value === 'function' || typeof value === 'symbol' ? undefined : value;
  }
  if (depth >= MAX_DEPTH) return '[nested]';
  if (value instanceof Error) {
    // The stack as an array of lines: readable, and no newline ever reaches a line of the log.
    const stack = (value.stack ?? '')
      .split('\n')
      .slice(0, 20)
      .map((l) => safeLogText(l.trim()));
    const code = (value as NodeJS.ErrnoException).code;
    return { type: safeLogText(value.name), message: safeLogText(value.message), ...(code ? { code: safeLogText(String(code)) } : {}), stack };
  }
  if (value instanceof Uint8Array) return `[${value.length} bytes]`;
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? 'Invalid Date' : value.toISOString();
  if (Array.isArray(value)) {
    const items = value.slice(0, MAX_ITEMS).map((v) => safeLogValue(v, depth + 1));
    if (value.length > MAX_ITEMS) items.push(`[${value.length - MAX_ITEMS} more]`);
    return items;
  }
  const out: Record<string, unknown> = {};
  let n = 0;
  for (const [k, v] of Object.entries(value)) {
    if (n++ >= MAX_ITEMS) {
      out['…'] = 'more keys';
      break;
    }
    out[safeLogText(k)] = isPersonalKey(k) ? REDACTED : safeLogValue(v, depth + 1);
  }
  return out;
}
