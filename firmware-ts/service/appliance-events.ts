/**
 * The events of `roadscan run --events json` (docs/CLI.md), one JSON object per line:
 *
 *     {"event":"scan","verdict":...,"reasons":[...],"type":...,"fields":{...},"ms":0.42}
 *     {"event":"indicator","led":"green|amber|red|off","buzzer":"on|off","t":1700000000000}
 *     {"event":"scanner","state":"open|closed|error"}
 *     {"event":"decision","scanId":...,"kind":"check-id|voucher"}   (right after the scan it belongs to)
 *     {"event":"action","scanId":...,"action":"confirm|refuse","source":"buttons|screen|keyboard","result":...}
 *
 * `fields` are the checker's masked, display-safe fields; `t` is epoch milliseconds.
 * @module
 */
import type { ScanResult } from '../scan/scan-checker.js';
import type { IndicatorOutputEvent } from '../../hal/indicator/indicator.js';
import type { ScannerState } from '../../hal/scanner/scanner.js';
import type { ActionTaken, DecisionOffered } from './operator-desk.js';

export interface ScanEvent {
  event: 'scan';
  verdict: ScanResult['verdict'];
  reasons: ScanResult['reasons'];
  type: ScanResult['type'];
  fields: ScanResult['fields'];
  ms: number;
}

export interface IndicatorEvent {
  event: 'indicator';
  led: 'green' | 'amber' | 'red' | 'off';
  buzzer: 'on' | 'off';
  t: number;
}

export interface ScannerEvent {
  event: 'scanner';
  state: ScannerState;
}

export type ApplianceEvent = ScanEvent | IndicatorEvent | ScannerEvent | DecisionOffered | ActionTaken;

export function scanEvent(r: ScanResult): ScanEvent {
  return { event: 'scan', verdict: r.verdict, reasons: r.reasons, type: r.type, fields: r.fields, ms: Math.round(r.ms * 1000) / 1000 };
}

export function indicatorEvent(o: IndicatorOutputEvent): IndicatorEvent {
  return { event: 'indicator', led: o.led, buzzer: o.buzzer ? 'on' : 'off', t: Math.round(o.t) };
}

export function scannerEvent(state: ScannerState): ScannerEvent {
  return { event: 'scanner', state };
}
