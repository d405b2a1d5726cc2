/**
 * The clock floor through real scans: real codes from the test authority, the real ScanChecker,
 * the floor in a real SQLite file. Each scenario shows the reasons a bad clock produces, and what
 * a naive device (believing its clock) would have answered instead.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CheckTime } from '../../../firmware-ts/core/time.js';
import { ClockFloor } from '../../../firmware-ts/clock/clock-floor.js';
import { shippedChecker } from '../../../firmware-ts/app/shipped-checker.js';
import type { ScanChecker } from '../../../firmware-ts/scan/scan-checker.js';
import type { StatusSource } from '../../../firmware-ts/status/list/index.js';
import { openDatabase, type Db } from '../../../firmware-ts/store/database.js';
import { TestAuthority } from '../../../sim/authority/test-authority.js';

const HOUR = 3600;
const DAY = 86400;
const BUILD = Date.parse('2026-11-01T00:00:00Z') / 1000;
const T = Date.parse('2026-11-20T02:00:00Z') / 1000; // real time: 10:00 in Beijing
const M = T - 600; // iat of the last verified manifest
const ms = (sec: number) => sec * 1000;

const authority = TestAuthority.create();
/** A unit that verified a manifest issued at M, listing nothing. */
const synced: StatusSource = { statusOf: () => 0, listIat: () => M };

function checker(profile: 'roadside' | 'window'): ScanChecker {
  return shippedChecker({ trust: authority.trustList(), status: synced, profile, region: '110105' });
}
const roadside = checker('roadside');
const window = checker('window');

let dir: string;
let file: string;
let db: Db;
let floor: ClockFloor;
const openFloor = () => new ClockFloor(db, { buildTimeSec: BUILD, toleranceSec: 300, maxAheadSec: 30 * DAY, scanLeadSec: DAY });

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'roadscan-clock-scan-'));
  file = join(dir, 'unit.db');
  db = openDatabase(file);
  floor = openFloor();
  floor.raise(M, 'manifest');
});
afterEach(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

/** The service's order: time from the floor, check, then the logged scan raises the floor. */
function scan(c: ScanChecker, text: string, systemSec: number) {
  const time = floor.checkTime(ms(systemSec));
  const result = c.check(text, time);
  floor.noteScan(time);
  return { time, result };
}
const naive = (c: ScanChecker, text: string, systemSec: number) => c.check(text, { nowSec: systemSec, reliable: true } satisfies CheckTime);

/** A unit that scanned every minute for ten minutes of real time, up to T. */
function workUntilT(): void {
  for (let s = T - 600; s <= T; s += 60) scan(roadside, authority.code({ type: 'DL', now: s }).text, s);
}

describe('reasons under a bad clock', () => {
  it('boots in 1970 after a power cut: checks run at the last logged scan, every scan says CLOCK_UNRELIABLE', () => {
    workUntilT();
    db.close(); // power cut: no flush
    db = openDatabase(file);
    floor = openFloor();
    const boot = 7; // 1970-01-01T00:00:07Z
    const valid = authority.code({ type: 'VD', now: T, nbf: T - DAY, exp: T + 3 * DAY }).text;
    const expired = authority.code({ type: 'VD', now: T, nbf: T - 2 * DAY, exp: T - 1800 }).text;

    const v = scan(window, valid, boot);
    expect(v.time.reliable).toBe(false);
    expect(v.time.nowSec).toBeGreaterThan(T - 60);
    expect(v.result).toMatchObject({ verdict: 'warn', reasons: ['CLOCK_UNRELIABLE'] });
    expect(scan(window, expired, boot).result).toMatchObject({ verdict: 'reject', reasons: ['EXPIRED', 'CLOCK_UNRELIABLE'] });

    // Believing 1970, the same unit would refuse a valid code as not yet valid, and stay silent about why.
    expect(naive(window, valid, boot).reasons).toContain('NOT_YET_VALID');
    expect(naive(window, valid, boot).reasons).not.toContain('CLOCK_UNRELIABLE');
  });

  it('a clock set back an hour: an expired credential is still refused, a live code still passes, both flagged', () => {
    workUntilT();
    const setBack = T + 20 - HOUR; // 20 s after the last scan, someone turns the clock back an hour
    const expiredHalfHourAgo = authority.code({ type: 'VD', now: T, nbf: T - 2 * DAY, exp: T - 1800 }).text;
    const live = authority.code({ type: 'DL', now: T + 20, genAgeSec: 10 }).text;

    expect(scan(window, expiredHalfHourAgo, setBack).result).toMatchObject({ verdict: 'reject', reasons: ['EXPIRED', 'CLOCK_UNRELIABLE'] });
    expect(scan(roadside, live, setBack).result).toMatchObject({ verdict: 'warn', reasons: ['CLOCK_UNRELIABLE'] });

    // Believing the clock: the expired credential passes silently, the honest live code is refused.
    expect(naive(window, expiredHalfHourAgo, setBack)).toMatchObject({ verdict: 'accept', reasons: [] });
    expect(naive(roadside, live, setBack).reasons).toEqual(['STALE_PRESENTATION']);
  });

  it('a clock far ahead (a year): flagged, and once put right the unit answers normally at once', () => {
    workUntilT();
    const ahead = T + 400 * DAY;
    const live = authority.code({ type: 'DL', now: T + 30 }).text;
    const far = scan(roadside, live, ahead);
    expect(far.time).toEqual({ nowSec: ahead, reliable: false });
    expect(far.result).toMatchObject({
      verdict: 'reject',
      reasons: ['EXPIRED', 'STALE_PRESENTATION', 'STATUS_LIST_STALE', 'CLOCK_UNRELIABLE'],
    });
    expect(naive(roadside, live, ahead).reasons).toEqual(['EXPIRED', 'STALE_PRESENTATION', 'STATUS_LIST_STALE']);

    const putRight = scan(roadside, live, T + 30);
    expect(putRight.time).toEqual({ nowSec: T + 30, reliable: true });
    expect(putRight.result).toMatchObject({ verdict: 'accept', reasons: [] });
  });

  it('a clock a few days ahead cannot be told from a unit offline for days; what it teaches the floor stays bounded', () => {
    workUntilT();
    const ahead = T + 3 * DAY;
    const live = authority.code({ type: 'DL', now: T + 30 }).text;
    // Not flagged (nothing tells it from a unit that has not synced for three days): the list is stale, the code old.
    expect(scan(roadside, live, ahead).result.reasons).toEqual(['STALE_PRESENTATION', 'STATUS_LIST_STALE']);
    // Put right, the clock looks set back, but only until M + scanLead, not for three days.
    const soon = scan(roadside, live, T + 30);
    expect(soon.time).toEqual({ nowSec: M + DAY, reliable: false });
    expect(soon.result.reasons).toContain('CLOCK_UNRELIABLE');
    expect(floor.checkTime(ms(M + DAY - 300))).toEqual({ nowSec: M + DAY - 300, reliable: true });
  });

  it('an explicit instant (--now, a replay) is taken as true and leaves the floor where it was', () => {
    workUntilT();
    const before = floor.floor();
    const replay = floor.explicit(ms(T - 30 * DAY));
    const old = authority.code({ type: 'DL', now: T - 30 * DAY }).text;
    const r = roadside.check(old, replay);
    floor.noteScan(replay);
    expect(r.reasons).not.toContain('CLOCK_UNRELIABLE');
    expect(floor.floor()).toBe(before);
  });
});
