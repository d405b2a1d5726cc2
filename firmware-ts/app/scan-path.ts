/**
 * The one `ScanPath` of a command, from the runtime: the checker, the clock the checks use, where
 * the records go, the place they name, and at a gate or a window the once-only step with what its
 * store reports. `roadscan run`, the demo, `roadscan verify` and the benchmarks all take theirs
 * from here, so a code is answered and recorded the same way from each.
 *
 * The once-only step is built by the caller (app/once-only.ts, loaded only at a gate or a window,
 * so a roadside `roadscan verify` never loads the station's NATS client).
 * @module
 */
import type { AuditSink } from '../audit/audit-log.js';
import type { Config } from '../config/schema.js';
import { ScanPath, type OnceOnlyReports, type ScanIdPolicy, type PathLogger, type Place, type ScanResult } from '../scan-path/index.js';
import type { CheckTime } from '../core/time.js';
import type { ReasonCode } from '../core/reasons.js';
import type { OnceOnlyStage } from '../station/once-only-stage.js';
import type { Runtime } from './runtime.js';

/** Where this unit stands, as every record names it. */
export function placeOf(config: Config): Place {
  return { profile: config.profile, region: config.region, station: config.station.code };
}

export interface ScanPathChoice {
  checker: { check(text: string, time: CheckTime): ScanResult };
  /** Where the records go (null: none kept, as in a dry run). */
  audit: AuditSink | null;
  /** The once-only step (app/once-only.ts) and the reports its store was built with. */
  onceOnly?: { stage: OnceOnlyStage; reports: OnceOnlyReports } | null;
  logger?: PathLogger;
  /** Default `every-scan`; only a command that prints verdicts and keeps nothing says `when-kept`. */
  scanIds?: ScanIdPolicy;
}

export function buildScanPath(rt: Runtime, choice: ScanPathChoice): ScanPath {
  return new ScanPath({
    checker: choice.checker,
    time: () => rt.time(),
    audit: choice.audit,
    place: placeOf(rt.config),
    onceOnly: choice.onceOnly ?? null,
    lapseMs: rt.config.screen.clearAfterSec * 1000,
    ...(choice.logger ? { logger: choice.logger } : {}),
    ...(choice.scanIds ? { scanIds: choice.scanIds } : {}),
  });
}

/**
 * The scan path of a command (`roadscan verify`): at a gate or a window with the once-only step
 * and the audit log, so a text verified there boards and is recorded as a scan at the gate would
 * be; elsewhere (and in a dry run) nothing is recorded. The once-only step and the audit log are
 * loaded only then, so a roadside start-up stays quick.
 */
export async function openCommandScanPath(
  rt: Runtime,
  checker: ScanPathChoice['checker'],
  opts: { dryRun: boolean; escalate?: () => ReadonlySet<ReasonCode> },
): Promise<{ path: ScanPath; close(): Promise<void> }> {
  if (rt.config.profile !== 'gate' && rt.config.profile !== 'window') {
    // Nothing kept, claimed or decided at the roadside: no scan id made per line (scan-path.ts, scansNeedIds).
    const path = buildScanPath(rt, { checker, audit: null, scanIds: 'when-kept' });
    return { path, close: () => path.close() };
  }
  const { buildOnceOnly } = await import('./once-only.js');
  const once = buildOnceOnly(rt, { dryRun: opts.dryRun, ...(opts.escalate ? { escalate: opts.escalate } : {}) });
  let audit: AuditSink | null = null;
  if (!opts.dryRun) {
    const { openAuditLog } = await import('./audit-log-open.js');
    audit = openAuditLog(rt);
  }
  const path = buildScanPath(rt, { checker, audit, onceOnly: once });
  return {
    path,
    close: async () => {
      await path.close();
      await once?.close();
    },
  };
}
