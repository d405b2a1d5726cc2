/**
 * The service's `/healthz` and `/metrics` (health/health-server.ts) wired to the parts that say
 * how the unit stands: the scanner, the status list and its age, the clock floor, the rules and
 * signed documents in force, the last scan, the records and, at a station, the shared store.
 * Each read is safe: a database failing under the service is a problem line, never a 500.
 * @module
 */
import type { ClockFloor } from '../clock/clock-floor.js';
import type { Config } from '../config/schema.js';
import { HealthServer, type HealthState } from '../health/health-server.js';
import type { ScanMetrics } from '../health/scan-metrics.js';
import type { StationState } from '../station/shared-once-only-store.js';
import type { StatusListStore } from '../status/list/index.js';
import type { DatabaseWatch } from '../store/database-watch.js';
import type { StorageHealth } from '../store/storage-health.js';

export interface HealthParts {
  scanner(): string;
  store: StatusListStore;
  age(): { ageSec: number | null; stale: boolean };
  floor: ClockFloor;
  dbWatch: DatabaseWatch | null;
  metrics: ScanMetrics;
  rules(): NonNullable<HealthState['rules']>;
  signed(): NonNullable<HealthState['signed']>;
  lastScan(): HealthState['lastScan'];
  storage: StorageHealth;
  /** Records handed to the audit writer and not yet durable. */
  unwritten(): number;
  station: { state(): StationState } | null;
}

export function healthEndpoint(at: Config['health'], p: HealthParts): HealthServer {
  return new HealthServer({
    host: at.host,
    port: at.port,
    metrics: p.metrics,
    state: () => {
      p.dbWatch?.check();
      const clock = p.floor.state(Date.now());
      return {
        scanner: p.scanner(),
        list: healthList(p.store, p.age),
        clock: { state: clock.state, floor: new Date(clock.floorSec * 1000).toISOString() },
        rules: p.rules(),
        signed: p.signed(),
        lastScan: p.lastScan(),
        storage: { ok: p.storage.ok, unwritten: p.unwritten(), lost: p.storage.lostTotal, problems: p.storage.problems() },
        ...(p.station ? { station: stationHealth(p.station.state()) } : {}),
      };
    },
  });
}

/** The list part of `/healthz`; a database that fails under the service is a problem line, never a 500. */
function healthList(store: StatusListStore, age: () => { ageSec: number | null; stale: boolean }) {
  try {
    const a = age();
    return { seq: store.seq(), entries: store.entries(), ageSec: a.ageSec, stale: a.stale, problem: store.problem() };
  } catch (err) {
    const e = err as { code?: string; message?: string };
    return { seq: null, entries: 0, ageSec: null, stale: true, problem: `status list unreadable: ${e.code ?? 'error'}: ${String(e.message ?? err).slice(0, 200)}` };
  }
}

/** The station's state as /healthz shows it (docs/DESIGN.md, "A station with several gates and windows"). */
function stationHealth(s: StationState): NonNullable<HealthState['station']> {
  return {
    connected: s.connected,
    server: s.server,
    servers: s.servers,
    queued: s.queued,
    conflicts: s.conflicts,
    conflictsByKind: s.conflictsByKind,
    fault: s.fault,
    queueMax: s.queueMax,
    queueFull: s.queueFull,
    overflow: s.overflow,
    decidingAlone: s.decidingAlone,
    ...(s.problem ? { problem: s.problem } : {}),
  };
}
