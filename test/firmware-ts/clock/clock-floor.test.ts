import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BUILD_TIME_SEC } from '../../../firmware-ts/clock/build-time.js';
import { ClockFloor } from '../../../firmware-ts/clock/clock-floor.js';
import { openDatabase, type Db } from '../../../firmware-ts/store/database.js';

const HOUR = 3600;
const DAY = 86400;
const BUILD = Date.parse('2026-11-01T00:00:00Z') / 1000;
const M = Date.parse('2026-11-20T01:50:00Z') / 1000; // iat of the last verified manifest
const T = Date.parse('2026-11-20T02:00:00Z') / 1000; // real time of the scenarios
const ms = (sec: number) => sec * 1000;

let dir: string;
let file: string;
let db: Db;
const open = (opts: ConstructorParameters<typeof ClockFloor>[1] = {}) => new ClockFloor(db, { buildTimeSec: BUILD, ...opts });

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'roadscan-floor-'));
  file = join(dir, 'unit.db');
  db = openDatabase(file);
});
afterEach(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Power cut: the connection goes without any clean-up, and the board boots with a new process. */
function reboot(): void {
  db.close();
  db = openDatabase(file);
}

describe('ClockFloor: a board that boots in 1970', () => {
  it('a fresh unit uses its build time, flagged unreliable', () => {
    expect(open().checkTime(0)).toEqual({ nowSec: BUILD, reliable: false });
  });

  it('uses the default build time constant when none is given', () => {
    expect(new ClockFloor(db).floor()).toBe(BUILD_TIME_SEC);
    expect(BUILD_TIME_SEC).toBeGreaterThanOrEqual(Date.parse('2026-01-01T00:00:00Z') / 1000);
  });

  it('after a power cut it uses the last manifest iat or the last logged scan, whichever is later', () => {
    const floor = open();
    floor.raise(M, 'manifest');
    for (let s = T - 600; s <= T; s += 30) floor.noteScan(floor.checkTime(ms(s)));
    reboot();
    const after = open().checkTime(ms(7)); // 1970-01-01T00:00:07Z
    expect(after.reliable).toBe(false);
    // Raises from scans are written in 60 s steps: a cut loses less than a step, far inside the tolerance.
    expect(after.nowSec).toBeGreaterThan(T - 60);
    expect(after.nowSec).toBeLessThanOrEqual(T);
  });

  it('a clean stop (flush) keeps the very last scan', () => {
    const floor = open();
    floor.noteScan(floor.checkTime(ms(T)));
    floor.noteScan(floor.checkTime(ms(T + 10)));
    floor.flush();
    reboot();
    expect(open().checkTime(0)).toEqual({ nowSec: T + 10, reliable: false });
  });
});

describe('ClockFloor: a clock set back', () => {
  it('an hour back is unreliable and checks use the floor; within the tolerance it is believed', () => {
    const floor = open({ toleranceSec: 300 });
    floor.noteScan(floor.checkTime(ms(T)));
    expect(floor.checkTime(ms(T - HOUR))).toEqual({ nowSec: T, reliable: false });
    expect(floor.checkTime(ms(T - 299))).toEqual({ nowSec: T - 299, reliable: true });
    expect(floor.checkTime(ms(T - 301))).toEqual({ nowSec: T, reliable: false });
    expect(floor.state(ms(T - HOUR))).toMatchObject({ state: 'behind', systemSec: T - HOUR, floorSec: T });
  });

  it('scans under an unreliable clock do not move the floor, and the floor never goes down', () => {
    const floor = open();
    floor.raise(T, 'manifest');
    floor.noteScan(floor.checkTime(ms(T - HOUR)));
    floor.raise(T - DAY, 'manifest');
    floor.raise(T - DAY, 'scan');
    expect(floor.floor()).toBe(T);
  });

  it('a manifest verified by another process raises the floor the running service uses', () => {
    const service = open();
    const otherDb = openDatabase(file);
    new ClockFloor(otherDb, { buildTimeSec: BUILD }).raise(T, 'manifest');
    otherDb.close();
    expect(service.checkTime(ms(T - HOUR))).toEqual({ nowSec: T, reliable: false });
  });
});

describe('ClockFloor: a clock far ahead', () => {
  it('more than maxAhead past the last manifest is unreliable, keeps its own time and never raises the floor', () => {
    const floor = open({ maxAheadSec: 30 * DAY });
    floor.raise(M, 'manifest');
    const ahead = floor.checkTime(ms(T + 400 * DAY));
    expect(ahead).toEqual({ nowSec: T + 400 * DAY, reliable: false });
    expect(floor.state(ms(T + 400 * DAY)).state).toBe('ahead');
    floor.noteScan(ahead);
    floor.flush();
    expect(floor.floor()).toBe(M);
    // Once the clock is put right, it is believed at once: nothing was poisoned.
    expect(floor.checkTime(ms(T + 60))).toEqual({ nowSec: T + 60, reliable: true });
  });

  it('within maxAhead it cannot be told from a unit that has not synced for days; scans raise the floor at most scanLead past the anchor', () => {
    const floor = open({ scanLeadSec: DAY });
    floor.raise(M, 'manifest');
    const tenDays = floor.checkTime(ms(T + 10 * DAY));
    expect(tenDays).toEqual({ nowSec: T + 10 * DAY, reliable: true });
    floor.noteScan(tenDays);
    expect(floor.floor()).toBe(M + DAY);
    // Put right, the clock looks set back, but only until the bounded floor is reached.
    expect(floor.checkTime(ms(T + 60))).toEqual({ nowSec: M + DAY, reliable: false });
    expect(floor.checkTime(ms(M + DAY - 300)).reliable).toBe(true);
  });

  it('a unit that never verified a manifest follows its last scan; its first manifest undoes what a bad clock taught', () => {
    const floor = open({ scanLeadSec: DAY });
    const year2099 = Date.parse('2099-01-01T00:00:00Z') / 1000;
    expect(floor.checkTime(ms(year2099))).toEqual({ nowSec: year2099, reliable: true });
    floor.noteScan(floor.checkTime(ms(year2099)));
    reboot();
    const after = open({ scanLeadSec: DAY });
    expect(after.checkTime(ms(T))).toEqual({ nowSec: year2099, reliable: false });
    after.raise(M, 'manifest');
    expect(after.floor()).toBe(M + DAY);
    expect(after.checkTime(ms(M + DAY - 300))).toEqual({ nowSec: M + DAY - 300, reliable: true });
  });
});

describe('ClockFloor: explicit instants', () => {
  it('are taken as true, even in 1970 or far ahead, and never move the floor', () => {
    const floor = open();
    floor.raise(M, 'manifest');
    for (const at of [0, T - HOUR, T + 400 * DAY]) {
      const time = floor.explicit(ms(at));
      expect(time).toEqual({ nowSec: at, reliable: true });
      floor.noteScan(time);
    }
    floor.flush();
    expect(floor.floor()).toBe(M);
  });

  it('an explicit instant made by another instance on the same database is recognised too', () => {
    const service = open();
    const other = new ClockFloor(db, { buildTimeSec: BUILD });
    service.noteScan(other.explicit(ms(T + 400 * DAY)));
    service.flush();
    expect(service.floor()).toBe(BUILD);
    // A copy is a plain reading, though: only the object explicit() returned is marked.
    service.noteScan({ ...other.explicit(ms(T)) });
    expect(service.floor()).toBe(T);
  });

  it('refuses instants that are not numbers', () => {
    const floor = open();
    expect(() => floor.checkTime(Number.NaN)).toThrow(RangeError);
    expect(() => floor.raise(Number.POSITIVE_INFINITY, 'manifest')).toThrow(RangeError);
    expect(() => open({ toleranceSec: -1 })).toThrow(RangeError);
  });
});
