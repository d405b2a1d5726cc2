/**
 * The operator screen as one subscriber of the scan path: each verdict shown as it is handed out,
 * the confirm and refuse buttons while a decision is open (hidden when it lapses), and the line
 * that says what an answer did. It takes the path's event types, never the checker.
 * @module
 */
import type { ScanPath } from '../scan-path/index.js';
import type { ScreenServer } from './screen-server.js';

export function screenOutput(path: ScanPath, screen: Pick<ScreenServer, 'publishScan' | 'publishDecision' | 'publishDecisionOutcome'>): void {
  path.on('scan', (s) => screen.publishScan(s.result, { atSec: s.time.nowSec, profile: s.place.profile }));
  path.on('decision', (d) => screen.publishDecision(d.state === 'open' ? { scanId: d.scanId, kind: d.kind } : null));
  path.on('answer', (a) => screen.publishDecisionOutcome(a.scanId, a.result));
}
