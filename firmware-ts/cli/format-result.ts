/**
 * How a scan result is printed: one JSON object per line (the docs/CLI.md contract) or one line a
 * person reads.
 * @module
 */
import type { ScanResult } from '../scan-path/index.js';

export function resultJson(r: ScanResult, extra?: Record<string, unknown>): string {
  return JSON.stringify({
    ...extra,
    verdict: r.verdict,
    reasons: r.reasons,
    type: r.type,
    fields: r.fields,
    ms: Math.round(r.ms * 1000) / 1000,
  });
}

const WORD = { accept: 'ACCEPT', warn: 'WARN  ', reject: 'REJECT' } as const;

export function resultLine(r: ScanResult): string {
  const fields = Object.entries(r.fields)
    .filter(([k]) => k !== 'issuer' && k !== 'validUntil')
    .map(([k, v]) => `${k}=${v}`)
    .join(' ');
  return [WORD[r.verdict], r.type ?? '-', r.reasons.join(',') || '-', fields].filter(Boolean).join('  ');
}

/** Exit status of a single verification: 0 accept, 3 warn, 1 reject. */
export function exitCodeOf(r: ScanResult): number {
  return r.verdict === 'accept' ? 0 : r.verdict === 'warn' ? 3 : 1;
}
