/**
 * The once-only step of a gate or a window, from the runtime (docs/DESIGN.md, "A station with
 * several gates and windows"): over the station's shared store when `station.shared` is set,
 * else this device's own record. `roadscan run` and `roadscan verify` both build it here, so a
 * ticket spends the same way from either.
 * @module
 */
import type { LocalOnceOnlyOptions } from '../station/local-once-only-store.js';
import { openStationStore, type StationStore } from '../station/station-store.js';
import { OnceOnlyStage, type StoreFault } from '../station/once-only-stage.js';
import type { OnceConflict } from '../station/handover-queue.js';
import type { AuditEntry } from '../audit/audit-log.js';
import { orderReasons, verdictOf, type ReasonCode } from '../core/reasons.js';
import type { Runtime } from './runtime.js';

export interface OnceOnlyRuntime {
  stage: OnceOnlyStage;
  station: StationStore;
  close(): Promise<void>;
}

/**
 * The once-only step of a gate or a window (null elsewhere), over the station's shared store when
 * `station.shared` is set, else this device's own record. `dryRun` looks without recording.
 */
export function buildOnceOnly(
  rt: Runtime,
  opts: {
    dryRun?: boolean;
    onStoreFault?: (fault: StoreFault) => void;
    onStoreRecovered?: () => void;
    /** Told of every ticket found boarded (or swapped) twice when a queued record is handed over. */
    onConflict?: (conflict: OnceConflict) => void;
    log?: { warn(obj: object, msg: string): void; info(obj: object, msg: string): void };
    /** The service: this device's record written behind the answer (the audit writer's worker). */
    local?: LocalOnceOnlyOptions;
    /** The warn codes the policy in force escalates (it may change while the service runs). */
    escalate?: () => ReadonlySet<ReasonCode>;
  } = {},
): OnceOnlyRuntime | null {
  const { config } = rt;
  if (config.profile !== 'gate' && config.profile !== 'window') return null;
  const station = openStationStore({
    db: rt.db,
    shared: config.station.shared,
    deviceId: config.device.id,
    resolvePath: (p) => rt.loaded.resolvePath(p),
    nowSec: () => Math.floor(rt.time().nowSec),
    ...(opts.onConflict ? { onConflict: opts.onConflict } : {}),
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
    ...(opts.onStoreFault ? { onStoreFault: opts.onStoreFault } : {}),
    ...(opts.onStoreRecovered ? { onStoreRecovered: opts.onStoreRecovered } : {}),
    ...(opts.escalate ? { escalate: opts.escalate } : {}),
  });
  return { stage, station, close: () => station.store.close() };
}

/**
 * The audit row of a double boarding (or a voucher swapped twice) found at a handover
 * (docs/DESIGN.md, "A station with several gates and windows": reported, not hidden). It names
 * the scan this device let through alone, and says what the station would have said then: the
 * ticket was already boarded (or its voucher issued) elsewhere, and this device was offline.
 */
export function conflictAuditEntry(c: OnceConflict, place: { profile: string; region: string; station: string | null }, reliable: boolean): AuditEntry {
  const reasons: ReasonCode[] = orderReasons([c.action === 'voucher' ? 'VOUCHER_ISSUED' : 'ALREADY_BOARDED', 'STATION_OFFLINE']);
  return {
    atSec: c.detectedAtSec,
    reliable,
    ...place,
    result: { verdict: verdictOf(reasons), reasons, type: 'TK', statusKey: c.key, ms: 0 },
    scanId: c.ours.scanId ?? null,
  };
}
