/**
 * The runtime every entry point starts from: the configuration with its overrides, the
 * database, the clock floor and the instant checks use. Every problem is a one-line
 * `SetupError` (the command line's exit status 2).
 * @module
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { CheckTime } from '../core/time.js';
import type { ClockFloor } from '../clock/clock-floor.js';
import { clockFloorFromConfig } from '../clock/clock-floor-config.js';
import { ConfigError, loadConfig, type LoadedConfig } from '../config/load.js';
import type { Config } from '../config/schema.js';
import { REGION_CODE_RE } from '../config/region-code.js';
import { DEFAULT_DB_FILE } from '../paths.js';
import { openDatabase, type Db } from '../store/database.js';
import type { RuntimeOptions } from './runtime-options.js';
import { SetupError } from './setup-error.js';

const MAX_JSON_FILE = 16 << 20;

export interface Runtime {
  loaded: LoadedConfig;
  /** The options the runtime was opened with (`--trust` among them). */
  options: RuntimeOptions;
  /** The clock floor of docs/DESIGN.md, persisted in the database. */
  clockFloor: ClockFloor;
  /** The configuration with command-line overrides applied. */
  config: Config;
  dbFile: string;
  db: Db;
  /** `existingDb: 'or-empty'` and `dbFile` did not exist: `db` is an empty one in memory. */
  dbMissing: boolean;
  /** The instant checks use: `--now` when given (taken as true), else the system clock judged against the floor. */
  time(): CheckTime;
  close(): void;
}

export function readJsonFile(file: string, what: string): unknown {
  try {
    if (statSync(file).size > MAX_JSON_FILE) throw new SetupError(`${what} ${file}: larger than 16 MiB`);
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    if (err instanceof SetupError) throw err;
    const e = err as NodeJS.ErrnoException;
    throw new SetupError(`${what} ${file}: ${e.code ? `cannot read (${e.code})` : `not valid JSON (${e.message})`}`);
  }
}

export function parseInstant(text: string): number {
  const ms = Date.parse(text);
  if (!/^\d{4}-\d{2}-\d{2}/.test(text) || Number.isNaN(ms)) throw new SetupError(`--now: not an ISO-8601 instant: ${JSON.stringify(text)}`);
  return ms;
}

function applyOverrides(config: Config, opts: RuntimeOptions): Config {
  const out: Config = { ...config, station: { ...config.station } };
  if (opts.profile) out.profile = opts.profile as Config['profile'];
  if (opts.region !== undefined) {
    if (!REGION_CODE_RE.test(opts.region)) throw new SetupError(`--region: expected a 6-digit region code, got ${JSON.stringify(opts.region)}`);
    out.region = opts.region;
  }
  if (opts.station !== undefined) {
    if (!/^[A-Za-z0-9_-]{1,32}$/.test(opts.station)) throw new SetupError(`--station: expected a station code, got ${JSON.stringify(opts.station)}`);
    out.station.code = opts.station;
  }
  return out;
}

export async function openRuntime(opts: RuntimeOptions): Promise<Runtime> {
  let loaded: LoadedConfig;
  try {
    loaded = await loadConfig(opts.config);
  } catch (err) {
    if (err instanceof ConfigError) throw new SetupError(`config ${err.message}`);
    throw err;
  }
  const config = applyOverrides(loaded.config, opts);
  const explicitMs = opts.now === undefined ? null : parseInstant(opts.now);
  const dbFile = opts.db === ':memory:' ? ':memory:' : opts.db ? resolve(opts.db) : config.db ? loaded.resolvePath(config.db) : DEFAULT_DB_FILE;
  const dbMissing = opts.existingDb !== undefined && opts.existingDb !== false && dbFile !== ':memory:' && !existsSync(dbFile);
  if (dbMissing && opts.existingDb !== 'or-empty') {
    const dir = dirname(dbFile);
    throw new SetupError(
      existsSync(dir)
        ? `database ${dbFile}: not found (nothing was synced or scanned with it; roadscan sync or roadscan run creates it)`
        : `database ${dbFile}: no such directory ${dir}`,
    );
  }
  let db: Db;
  try {
    db = openDatabase(dbMissing ? ':memory:' : dbFile);
  } catch (err) {
    throw new SetupError(`database ${dbFile}: ${(err as Error).message}`);
  }
  const clockFloor = clockFloorFromConfig(db, config.clock);
  return {
    loaded,
    options: opts,
    config,
    dbFile,
    db,
    dbMissing,
    clockFloor,
    time: () => (explicitMs !== null ? clockFloor.explicit(explicitMs) : clockFloor.checkTime(Date.now())),
    close: () => db.close(),
  };
}
