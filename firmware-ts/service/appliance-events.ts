/**
 * The events of `roadscan run --events json` (docs/CLI.md), one JSON object per line:
 *
 *     {"event":"scan","verdict":...,"reasons":[...],"type":...,"fields":{...},"ms":0.42}
 *     {"event":"indicator","led":"green|amber|red|off","buzzer":"on|off","t":1700000000000}
 *     {"event":"scanner","state":"open|closed|error"}
 *     {"event":"decision","scanId":...,"kind":"check-id|voucher"}   (right after the scan it belongs to)
 *     {"event":"action","scanId":...,"action":"confirm|refuse","source":"buttons|screen|keyboard","result":...}
 *
 * `fields` are the checker's masked, display-safe fields; `t` is epoch milliseconds. The lines are
 * one subscriber of the scan path and of the device loop (`eventLines`), in the order they happen.
 * @module
 */
import type { IndicatorOutputEvent } from '../../hal/indicator/index.js';
import type { ScannerState } from '../../hal/scanner/index.js';
import type { ActionSource, DecisionKind, DecisionResult, OperatorAction, ScanPath, ScanResult } from '../scan-path/index.js';
import type { Appliance } from './appliance.js';

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

export interface DecisionOffered {
  event: 'decision';
  scanId: string;
  kind: DecisionKind;
}

export interface ActionTaken {
  event: 'action';
  scanId: string;
  action: OperatorAction;
  source: ActionSource;
  result: DecisionResult;
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

/**
 * Tells `onEvent` the scan path's lines as they happen. Subscribe it before the device loop is
 * made, so a scan's line comes before the indicator lines of its pattern.
 */
export function pathEventLines(path: ScanPath, onEvent: (e: ApplianceEvent) => void): void {
  path.on('scan', (s) => onEvent(scanEvent(s.result)));
  path.on('decision', (d) => d.state === 'open' && onEvent({ event: 'decision', scanId: d.scanId, kind: d.kind }));
  path.on('answer', (a) => onEvent({ event: 'action', scanId: a.scanId, action: a.action, source: a.source, result: a.result }));
}

/** Tells `onEvent` the device loop's lines (the indicator, the scanner's state) as they happen. */
export function deviceEventLines(appliance: Appliance, onEvent: (e: ApplianceEvent) => void): void {
  appliance.on('indicator', (o) => onEvent(indicatorEvent(o)));
  appliance.on('scanner', (s) => onEvent(scannerEvent(s.state)));
}
