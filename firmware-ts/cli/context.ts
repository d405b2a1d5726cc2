/**
 * Builds what a command needs from the configuration and the common options: the database,
 * the trust list, the status list, the clock and a ready `ScanChecker`. Every problem becomes a
 * one-line UsageError (exit status 2).
 * @module
 */
import { readFileSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import type { CheckTime } from '../clock/clock.js';
import type { ClockFloor } from '../clock/clock-floor.js';
import { clockFloorFromConfig } from '../clock/clock-floor-config.js';
import { ConfigError, loadConfig, type LoadedConfig } from '../config/load.js';
import type { Config } from '../config/schema.js';
import { regionCode } from '../config/sections/scan.js';
import { RegionAdoption } from '../policy/region-adoption.js';
import { WorkingDayCalendar } from '../policy/working-day-calendar.js';
import { ScanChecker } from '../scan/scan-checker.js';
import { DEFAULT_DB_FILE, packagedConfigFile } from '../paths.js';
import { NEVER_SYNCED, type StatusSource } from '../status/status-source.js';
import { openDatabase, type Db } from '../store/database.js';
import { openStationStore, type StationStore } from '../station/station-store.js';
import { OnceOnlyStage, type StoreFault } from '../station/once-only-stage.js';
import { parseTrustList, TrustListError, type TrustList } from '../verify/trust-list.js';
import type { CommonOptions } from './common-options.js';
import { UsageError } from './usage-error.js';

const MAX_JSON_FILE = 16 << 20;

export interface Runtime {
  loaded: LoadedConfig;
  /** The clock floor of DESIGN.md, persisted in the database. */
  clockFloor: ClockFloor;
  /** The configuration with command-line overrides applied. */
  config: Config;
  dbFile: string;
  db: Db;
  /** The instant checks use: `--now` when given (taken as true), else the system clock judged against the floor. */
  time(): CheckTime;
  close(): void;
}

export function readJsonFile(file: string, what: string): unknown {
  try {
    if (statSync(file).size > MAX_JSON_FILE) throw new UsageError(`${what} ${file}: larger than 16 MiB`);
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    if (err instanceof UsageError) throw err;
    const e = err as NodeJS.ErrnoException;
    throw new UsageError(`${what} ${file}: ${e.code ? `cannot read (${e.code})` : `not valid JSON (${e.message})`}`);
  }
}

export function parseInstant(text: string): number {
  const ms = Date.parse(text);
  if (!/^\d{4}-\d{2}-\d{2}/.test(text) || Number.isNaN(ms)) throw new UsageError(`--now: not an ISO-8601 instant: ${JSON.stringify(text)}`);
  return ms;
}

function applyOverrides(config: Config, opts: CommonOptions): Config {
  const out: Config = { ...config, station: { ...config.station } };
  if (opts.profile) out.profile = opts.profile as Config['profile'];
  if (opts.region !== undefined) {
    if (!regionCode.safeParse(opts.region).success) throw new UsageError(`--region: expected a 6-digit region code, got ${JSON.stringify(opts.region)}`);
    out.region = opts.region;
  }
  if (opts.station !== undefined) {
    if (!/^[A-Za-z0-9_-]{1,32}$/.test(opts.station)) throw new UsageError(`--station: expected a station code, got ${JSON.stringify(opts.station)}`);
    out.station.code = opts.station;
  }
  return out;
}

export function openRuntime(opts: CommonOptions): Runtime {
  let loaded: LoadedConfig;
  try {
    loaded = loadConfig(opts.config);
  } catch (err) {
    if (err instanceof ConfigError) throw new UsageError(`config ${err.message}`);
    throw err;
  }
  const config = applyOverrides(loaded.config, opts);
  const explicitMs = opts.now === undefined ? null : parseInstant(opts.now);
  const dbFile = opts.db ? resolve(opts.db) : config.db ? loaded.resolvePath(config.db) : DEFAULT_DB_FILE;
  let db: Db;
  try {
    db = openDatabase(dbFile);
  } catch (err) {
    throw new UsageError(`database ${dbFile}: ${(err as Error).message}`);
  }
  const clockFloor = clockFloorFromConfig(db, config.clock);
  return {
    loaded,
    config,
    dbFile,
    db,
    clockFloor,
    time: () => (explicitMs !== null ? clockFloor.explicit(explicitMs) : clockFloor.checkTime(Date.now())),
    close: () => db.close(),
  };
}

/** The trust list: `--trust`, else the configured file, else the one received by sync. */
export function loadTrust(rt: Runtime, opts: CommonOptions, synced: unknown | null): TrustList {
  const file = opts.trust ? resolve(opts.trust) : rt.config.trustFile ? rt.loaded.resolvePath(rt.config.trustFile) : null;
  const json = file ? readJsonFile(file, 'trust list') : synced;
  if (json === null || json === undefined) {
    throw new UsageError('no trust list: give --trust FILE, set trustFile in the configuration, or run `roadscan sync`');
  }
  try {
    return parseTrustList(json);
  } catch (err) {
    if (err instanceof TrustListError) throw new UsageError(file ? `${file}: ${err.message}` : err.message);
    throw err;
  }
}

export function buildChecker(rt: Runtime, trust: TrustList, status: StatusSource = NEVER_SYNCED): ScanChecker {
  const { config, loaded } = rt;
  if (config.profile === 'gate' && !config.station.code) throw new UsageError('the gate profile needs a station: --station CODE or station.code');
  let adoption: RegionAdoption;
  let calendar: WorkingDayCalendar;
  try {
    const dataFile = (configured: string | null, shipped: string) => (configured ? loaded.resolvePath(configured) : packagedConfigFile(shipped));
    adoption = RegionAdoption.fromJson(readJsonFile(dataFile(config.adoptionFile, 'adoption.json'), 'adoption table'));
    calendar = WorkingDayCalendar.fromJson(readJsonFile(dataFile(config.calendarFile, 'calendar-cn.json'), 'calendar'));
  } catch (err) {
    if (err instanceof UsageError) throw err;
    throw new UsageError((err as Error).message);
  }
  return new ScanChecker({
    trust,
    status,
    rules: {
      profile: config.profile,
      region: config.region,
      station: config.station.code,
      faceRecognition: config.station.faceRecognition,
      boardBeforeSec: config.station.boardBeforeMin * 60,
      boardAfterSec: config.station.boardAfterMin * 60,
      adoption,
      calendar,
    },
    presentation: config.presentation,
    statusMaxAgeSec: config.statusList.maxAgeHours * 3600,
  });
}

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
  opts: { dryRun?: boolean; onStoreFault?: (fault: StoreFault) => void; log?: { warn(obj: object, msg: string): void; info(obj: object, msg: string): void } } = {},
): OnceOnlyRuntime | null {
  const { config } = rt;
  if (config.profile !== 'gate' && config.profile !== 'window') return null;
  const station = openStationStore({
    db: rt.db,
    shared: config.station.shared,
    deviceId: config.device.id,
    resolvePath: (p) => rt.loaded.resolvePath(p),
    ...(opts.log ? { log: opts.log } : {}),
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
    ...(opts.onStoreFault ? { onStoreFault: opts.onStoreFault } : {}),
  });
  return { stage, station, close: () => station.store.close() };
}
