/**
 * What the operator screen's status strip shows, as `roadscan run` and the demo feed it: the
 * list's age by the checker's own staleness rule, the state of the clock the checks use, the
 * place, the audit uploads still pending, and the station's shared store when there is one
 * (connected, records to hand over, tickets boarded twice), and a trust item when a signed document
 * held is past its expires (spec 1.2). The appliance adds the scanner's state.
 * @module
 */
import type { AuditLog } from '../audit/audit-log.js';
import type { Runtime } from './runtime.js';
import type { ScreenStatus } from '../screen/screen-view.js';
import { listAge } from '../core/staleness.js';
import { displaySafe } from '../core/text-safety.js';
import type { StatusSource } from '../status/list/index.js';

export function statusStripFeed(
  rt: Runtime,
  list: StatusSource,
  audit: AuditLog,
  station: { state(): SharedState } | null,
  /** The list age past which scans carry STATUS_LIST_STALE, by the policy in force. */
  maxAgeSec: () => number,
  signed: () => readonly { stale: boolean }[] = () => [],
): () => Omit<ScreenStatus, 'scanner'> {
  const cfg = rt.config;
  return () => {
    const time = rt.time();
    const age = listAge(list.listIat(), time.nowSec, maxAgeSec());
    return {
      listAgeSec: age.ageSec,
      listStale: age.stale,
      clock: time.reliable ? 'ok' : 'unreliable',
      profile: cfg.profile,
      region: cfg.region,
      station: stationLabel(cfg.station.code, cfg.station.name),
      pendingUploads: cfg.audit.uploadUrl === null ? 0 : audit.pendingCount(),
      // Spec 1.2: a signed document held past its expires (scans carry TRUST_STALE).
      ...(signed().some((d) => d.stale) ? { trust: 'stale' as const } : {}),
      ...(station ? { shared: sharedStatus(station.state()) } : {}),
    };
  };
}

interface SharedState {
  connected: boolean;
  queued: number;
  conflicts: number;
  queueFull?: boolean;
  fault?: string | null;
  decidingAlone?: boolean;
}

function sharedStatus(s: SharedState): NonNullable<ScreenStatus['shared']> {
  return {
    connected: s.connected,
    queued: s.queued,
    conflicts: s.conflicts,
    queueFull: s.queueFull === true,
    bucketFault: Boolean(s.fault),
    decidingAlone: s.decidingAlone === true,
  };
}

/** The station as the status strip shows it: its code, and its name when configured. */
export function stationLabel(code: string | null, name: string | null): string | null {
  if (code === null) return null;
  return name ? `${code} ${displaySafe(name, 32)}` : code;
}
