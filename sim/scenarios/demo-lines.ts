/**
 * What the demo prints: one line per scan that a newcomer reads in a glance: the LEDs and
 * buzzer drawn, the verdict word in its colour, the reasons in plain words, a few masked fields.
 * Pure functions, so the exact text is tested.
 * @module
 */
import { REASON_TEXT, type ReasonCode } from '../../firmware-ts/core/reasons.js';
import type { ScanEvent } from '../../firmware-ts/service/appliance-events.js';
import { describeFeedback, type FeedbackConfig } from '../../hal/indicator/patterns.js';
import { drawOutput } from '../../hal/indicator/sim-indicator.js';

const SHOWN: Record<string, readonly string[]> = {
  DL: ['name', 'classes', 'licenceNo'],
  VR: ['plate', 'owner', 'inspectionUntil'],
  VA: ['plate', 'grantee', 'validity'],
  VD: ['plate', 'user', 'validity'],
  TK: ['ticket', 'name', 'departure'],
};

const WORD = { accept: 'ACCEPT', warn: 'WARN', reject: 'REJECT' } as const;
const COLOR = { accept: '\x1b[1;32m', warn: '\x1b[1;33m', reject: '\x1b[1;31m' } as const;
const DIM = '\x1b[2m';
const RESET = '\x1b[0m';

/** Reasons as words: "Paper registration must be in the vehicle; ...", or "all checks passed". */
export function reasonsInWords(reasons: readonly ReasonCode[], lang: 'en' | 'zh' = 'en'): string {
  return reasons.length === 0 ? (lang === 'zh' ? '全部检查通过' : 'all checks passed') : reasons.map((r) => REASON_TEXT[r][lang]).join('; ');
}

/** The line of one scan, e.g. "[● ○ ○] ♪ ACCEPT  DL  all checks passed  name=张*  classes=C1". */
export function scanLine(scan: ScanEvent, feedback: FeedbackConfig, color = false): string {
  const fb = feedback[scan.verdict];
  const leds = drawOutput({ led: fb.led, buzzer: fb.buzzer.length > 0 }, color);
  const word = WORD[scan.verdict].padEnd(6);
  const verdict = color ? `${COLOR[scan.verdict]}${word}${RESET}` : word;
  const fields = (SHOWN[scan.type ?? ''] ?? [])
    .filter((k) => scan.fields[k])
    .map((k) => `${k}=${scan.fields[k]}`)
    .join('  ');
  const pattern = color ? `${DIM}(${describeFeedback(fb)})${RESET}` : `(${describeFeedback(fb)})`;
  return [leds, verdict, scan.type ?? '-', reasonsInWords(scan.reasons), fields, pattern].filter(Boolean).join('  ');
}
