/**
 * The clock floor of docs/DESIGN.md: a board without a battery-backed clock may boot in 1970, or be set
 * back by hand, and must not then accept what expired yesterday without saying so.
 *
 * The floor is the latest of three instants: the build time (a constant), the `iat` of the last
 * verified manifest (signed by the authority, so trusted) and the last logged scan (only as good as
 * the system clock that stamped it). A system clock more than `toleranceSec` below the floor is
 * unreliable: checks use the floor and every scan carries CLOCK_UNRELIABLE.
 *
 * A clock far *ahead* cannot be seen by a floor, and would poison it: one scan logged in 2099 would
 * make every later, correct clock look set back, and every credential look expired, until 2099.
 * Once a manifest was verified it is the reference: a clock more than `maxAheadSec` past its `iat`
 * is flagged unreliable (its time is still used: nothing better is known) and does not raise the
 * floor, and what logged scans taught the floor counts at most `scanLeadSec` past that `iat`. The
 * bound is applied when the floor is read, so the first manifest verified after a bad clock also
 * undoes what that clock taught. A unit that never verified a manifest has nothing to check its
 * clock against and follows its last scan, as docs/DESIGN.md says. An instant given explicitly
 * (`--now`, a replay) is taken as true and never moves the floor.
 *
 * The floor is read from SQLite on every check, so a `roadscan sync` run in another process raises
 * the floor the running service uses. Raises from scans are written at most once per
 * `persistStepSec` of progress: losing less than that to a power cut is far inside the tolerance,
 * and it saves a second disk sync per scan.
 * @module
 */
import type { Db } from '../store/database.js';
import { migrate } from '../store/database.js';
import { BUILD_TIME_SEC } from './build-time.js';
import type { CheckTime } from '../core/time.js';

export interface ClockFloorOptions {
  /** A system clock this far below the floor is still believed (default 300 s). */
  toleranceSec?: number;
  /** The build time anchor (default BUILD_TIME_SEC). */
  buildTimeSec?: number;
  /** A clock this far past the last manifest `iat` is flagged unreliable (default 30 days). */
  maxAheadSec?: number;
  /** Logged scans count at most this far past the last manifest `iat` (default 24 h). */
  scanLeadSec?: number;
  /** Raises from scans are written once they advance this much (default 60 s). */
  persistStepSec?: number;
}

/** Where the system clock stands against what the device knows. */
export type ClockStateName = 'ok' | 'behind' | 'ahead';

export interface ClockState {
  state: ClockStateName;
  systemSec: number;
  floorSec: number;
  /** `iat` of the last verified manifest, null when none was ever verified. */
  manifestSec: number | null;
}

/** What raised the floor: a verified manifest is trusted, a scan only as far as its bound. */
export type FloorSource = 'manifest' | 'scan';

const MIGRATIONS = [
  `CREATE TABLE clock_floor (
     id INTEGER PRIMARY KEY CHECK (id = 1),
     manifest_sec INTEGER,
     scan_sec INTEGER NOT NULL DEFAULT 0
   );
   INSERT INTO clock_floor (id, manifest_sec, scan_sec) VALUES (1, NULL, 0);`,
];

/**
 * Instants made by `explicit()` of any ClockFloor: module-wide, so a floor never takes an
 * explicit instant made by another instance (another connection to the same file) for a reading.
 */
const EXPLICIT_TIMES = new WeakSet<CheckTime>();

interface FloorRow {
  manifest_sec: number | null;
  scan_sec: number;
}

export class ClockFloor {
  readonly toleranceSec: number;
  readonly buildTimeSec: number;
  readonly maxAheadSec: number;
  readonly scanLeadSec: number;
  readonly persistStepSec: number;
  private readonly readRow: () => FloorRow;
  private readonly writeManifest: (sec: number) => void;
  private readonly writeScan: (sec: number) => void;
  /** Highest scan raise not yet written (0 when none). */
  private pendingScanSec = 0;

  constructor(db: Db, opts: ClockFloorOptions = {}) {
    this.toleranceSec = nonNegative(opts.toleranceSec ?? 300, 'toleranceSec');
    this.buildTimeSec = nonNegative(opts.buildTimeSec ?? BUILD_TIME_SEC, 'buildTimeSec');
    this.maxAheadSec = nonNegative(opts.maxAheadSec ?? 30 * 86400, 'maxAheadSec');
    this.scanLeadSec = nonNegative(opts.scanLeadSec ?? 86400, 'scanLeadSec');
    this.persistStepSec = nonNegative(opts.persistStepSec ?? 60, 'persistStepSec');
    migrate(db, 'clock-floor', MIGRATIONS);
    const select = db.prepare('SELECT manifest_sec, scan_sec FROM clock_floor WHERE id = 1');
    this.readRow = () => select.get() as FloorRow;
    // max() in SQL: another process may have raised it meanwhile; a floor never goes down.
    const manifest = db.prepare('UPDATE clock_floor SET manifest_sec = max(coalesce(manifest_sec, 0), ?) WHERE id = 1');
    this.writeManifest = (sec) => void manifest.run(sec);
    const scan = db.prepare('UPDATE clock_floor SET scan_sec = max(scan_sec, ?) WHERE id = 1');
    this.writeScan = (sec) => void scan.run(sec);
  }

  /** The floor now, in seconds since the epoch. */
  floor(): number {
    return this.floorOf(this.readRow());
  }

  private floorOf(row: FloorRow): number {
    const scanned = Math.max(row.scan_sec, this.pendingScanSec);
    const fromScans = row.manifest_sec === null ? scanned : Math.min(scanned, row.manifest_sec + this.scanLeadSec);
    return Math.max(this.buildTimeSec, row.manifest_sec ?? 0, fromScans);
  }

  /** `iat` of the last verified manifest that raised the floor, or null. */
  manifestSec(): number | null {
    return this.readRow().manifest_sec;
  }

  /** Judges the system clock against the floor. */
  state(systemNowMs: number): ClockState {
    const row = this.readRow();
    const floorSec = this.floorOf(row);
    const systemSec = toSec(systemNowMs);
    let state: ClockStateName = 'ok';
    if (systemSec < floorSec - this.toleranceSec) state = 'behind';
    else if (row.manifest_sec !== null && systemSec > row.manifest_sec + this.maxAheadSec) state = 'ahead';
    return { state, systemSec, floorSec, manifestSec: row.manifest_sec };
  }

  /** The instant checks use for a reading of the system clock, and whether it is reliable. */
  checkTime(systemNowMs: number): CheckTime {
    const s = this.state(systemNowMs);
    if (s.state === 'behind') return { nowSec: s.floorSec, reliable: false };
    return { nowSec: s.systemSec, reliable: s.state === 'ok' };
  }

  /** An instant given explicitly (`--now`, a replay): taken as true; `noteScan` ignores it. */
  explicit(nowMs: number): CheckTime {
    const time: CheckTime = { nowSec: toSec(nowMs), reliable: true };
    EXPLICIT_TIMES.add(time);
    return time;
  }

  /**
   * Raises the floor. A verified manifest's `iat` (pass 'manifest') is written at once; a logged
   * scan's time (the default) is written in steps and counts only as far as `scanLeadSec` allows.
   */
  raise(sec: number, source: FloorSource = 'scan'): void {
    if (!Number.isFinite(sec)) throw new RangeError(`clock floor: not an instant: ${sec}`);
    const s = Math.floor(sec);
    if (source === 'manifest') {
      this.writeManifest(s);
      return;
    }
    const written = this.readRow().scan_sec;
    if (s <= Math.max(written, this.pendingScanSec)) return;
    if (s - written >= this.persistStepSec) {
      this.writeScan(s);
      this.pendingScanSec = 0;
    } else {
      this.pendingScanSec = s;
    }
  }

  /** Raises the floor from a logged scan's time, unless that time was explicit or unreliable. */
  noteScan(time: CheckTime): void {
    if (!time.reliable || EXPLICIT_TIMES.has(time)) return;
    this.raise(time.nowSec, 'scan');
  }

  /** Writes a pending scan raise (call on a clean stop). */
  flush(): void {
    if (this.pendingScanSec > 0) this.writeScan(this.pendingScanSec);
    this.pendingScanSec = 0;
  }
}

function toSec(ms: number): number {
  if (!Number.isFinite(ms)) throw new RangeError(`clock floor: not an instant: ${ms}`);
  return Math.floor(ms / 1000);
}

function nonNegative(v: number, name: string): number {
  if (!Number.isFinite(v) || v < 0) throw new RangeError(`clock floor: ${name} must be a non-negative number`);
  return v;
}
