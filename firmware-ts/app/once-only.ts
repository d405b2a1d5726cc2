/**
 * The once-only step of a gate or a window, from the runtime (docs/DESIGN.md, "A station with
 * several gates and windows"): over the station's shared store when `station.shared` is set,
 * else this device's own record. `roadscan run` and `roadscan verify` both build it here, so a
 * ticket spends the same way from either.
 * @module
 */
import type { LocalOnceOnlyOptions } from '../station/local-once-only-store.js';
import { openStationStore, type StationStore } from '../station/station-store.js';
import { OnceOnlyStage } from '../station/once-only-stage.js';
import { OnceOnlyReports } from '../scan-path/index.js';
import type { Runtime } from './runtime.js';
import type { ReasonCode } from '../core/reasons.js';

export interface OnceOnlyRuntime {
  stage: OnceOnlyStage;
  station: StationStore;
  /** What the store reports between scans (faults, recoveries, conflicts): the scan path subscribes. */
  reports: OnceOnlyReports;
  close(): Promise<void>;
}

/**
 * The once-only step of a gate or a window (null elsewhere), over the station's shared store when
 * `station.shared` is set, else this device's own record. `dryRun` looks without recording. What
 * the store reports (a fault, a recovery, a ticket boarded twice) goes to `reports`, which the
 * scan path built with it (app/scan-path.ts) subscribes to.
 */
export function buildOnceOnly(
  rt: Runtime,
  opts: {
    dryRun?: boolean;
    log?: { warn(obj: object, msg: string): void; info(obj: object, msg: string): void };
    /** The service: this device's record written behind the answer (the audit writer's worker). */
    local?: LocalOnceOnlyOptions;
    /** The warn codes the policy in force escalates to a reject (it may change while the service runs). */
    escalate?: () => ReadonlySet<ReasonCode>;
  } = {},
): OnceOnlyRuntime | null {
  const { config } = rt;
  if (config.profile !== 'gate' && config.profile !== 'window') return null;
  const reports = new OnceOnlyReports();
  const station = openStationStore({
    db: rt.db,
    shared: config.station.shared,
    deviceId: config.device.id,
    resolvePath: (p) => rt.loaded.resolvePath(p),
    nowSec: () => Math.floor(rt.time().nowSec),
    onConflict: reports.handlers.onConflict,
    ...(opts.log ? { log: opts.log } : {}),
    ...(opts.local ? { local: opts.local } : {}),
  });
  if (!opts.dryRun) {
    // Records of tickets long expired can never matter again (purging is a write: not in a dry run).
    try {
      station.local.purge(Math.floor(rt.time().nowSec));
    } catch (err) {
      opts.log?.warn({ err: (err as Error).message }, 'once-only purge failed');
    }
  }
  const stage = new OnceOnlyStage({
    store: station.store,
    profile: config.profile,
    device: config.device.id,
    dryRun: opts.dryRun ?? false,
    // The shared store answers within its own deadline (falling back to this device's record and
    // STATION_OFFLINE); the stage must wait longer than that, or a slow station answer would be
    // taken for a store fault and a ticket could board twice unreported.
    deadlineMs: Math.max(3000, (config.station.shared?.deadlineMs ?? 0) + 2000),
    onStoreFault: reports.handlers.onStoreFault,
    onStoreRecovered: reports.handlers.onStoreRecovered,
    ...(opts.escalate ? { escalate: opts.escalate } : {}),
  });
  return { stage, station, reports, close: () => station.store.close() };
}
