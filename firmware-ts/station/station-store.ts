/**
 * The once-only store a device runs with, from its configuration: the station's shared store
 * when `station.shared` is set (the local record as its fallback), else this device's own record
 * alone, exactly as a single device always worked (docs/DESIGN.md, "A station with several gates
 * and windows"). Nothing here waits for a server: the shared store connects in the background.
 * @module
 */
import type { StationSharedConfig } from '../config/sections/station-shared.js';
import type { Db } from '../store/database.js';
import { HandoverQueue, type OnceConflict } from './handover-queue.js';
import { LocalOnceOnlyStore, type LocalOnceOnlyOptions } from './local-once-only-store.js';
import { NatsStationBucket, readCredsFile } from './nats-station-bucket.js';
import type { OnceOnlyStore } from './once-only.js';
import { SharedOnceOnlyStore } from './shared-once-only-store.js';

export interface StationStoreOptions {
  db: Db;
  shared: StationSharedConfig | null;
  deviceId: string;
  /** Resolves a path of the configuration (relative to the configuration file). */
  resolvePath?: (p: string) => string;
  onConflict?(conflict: OnceConflict): void;
  onQueueFull?(): void;
  /** The checks' clock, seconds since the epoch: the instant a conflict is found at. */
  nowSec?: () => number;
  log?: { warn(obj: object, msg: string): void; info(obj: object, msg: string): void };
  /** Servers the cluster announces are used too (default true). */
  discover?: boolean;
  /** The local record's writes made durable behind the answer (local-once-only-store.ts); default: before it. */
  local?: LocalOnceOnlyOptions;
}

export interface StationStore {
  store: OnceOnlyStore;
  /** The shared store, for its state (status strip, /healthz); null when this device works alone. */
  station: SharedOnceOnlyStore | null;
  local: LocalOnceOnlyStore;
}

export function openStationStore(o: StationStoreOptions): StationStore {
  const local = new LocalOnceOnlyStore(o.db, o.local);
  const cfg = o.shared;
  if (!cfg) return { store: local, station: null, local };
  const resolve = o.resolvePath ?? ((p: string) => p);
  const bucket = new NatsStationBucket({
    servers: cfg.servers,
    bucket: cfg.bucket,
    replicas: cfg.replicas,
    maxAgeSec: cfg.recordMaxAgeHours * 3600,
    name: o.deviceId,
    creds: cfg.credsFile ? readCredsFile(resolve(cfg.credsFile)) : null,
    tls: cfg.tls
      ? {
          caFile: cfg.tls.caFile ? resolve(cfg.tls.caFile) : null,
          certFile: cfg.tls.certFile ? resolve(cfg.tls.certFile) : null,
          keyFile: cfg.tls.keyFile ? resolve(cfg.tls.keyFile) : null,
        }
      : null,
    requestTimeoutMs: Math.min(5000, Math.max(1000, cfg.deadlineMs * 4)),
    retryMs: 1000,
    ...(o.discover === undefined ? {} : { discover: o.discover }),
    ...(o.log ? { log: o.log } : {}),
  });
  const queue = new HandoverQueue(o.db, cfg.handoverQueueMax, (row) =>
    // A row the card no longer reads back: gone from the queue, never handed over; said, never silent.
    o.log?.warn({ row: row.id, key: row.key, action: row.action }, 'station handover row unreadable: removed from the queue, not handed over'),
  );
  const station = new SharedOnceOnlyStore({
    bucket,
    local,
    queue,
    deviceId: o.deviceId,
    recordMaxAgeSec: cfg.recordMaxAgeHours * 3600,
    deadlineMs: cfg.deadlineMs,
    handoverPeriodMs: cfg.handoverPeriodMs,
    ...(o.onConflict ? { onConflict: o.onConflict } : {}),
    ...(o.nowSec ? { nowSec: o.nowSec } : {}),
    ...(o.onQueueFull ? { onQueueFull: () => o.onQueueFull?.() } : {}),
    ...(o.log ? { log: o.log } : {}),
  });
  bucket.start();
  station.start();
  return { store: station, station, local };
}
