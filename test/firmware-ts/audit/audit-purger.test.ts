import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AuditLog } from '../../../firmware-ts/audit/audit-log.js';
import { AuditPurger } from '../../../firmware-ts/audit/audit-purger.js';
import { fixedClock } from '../../../firmware-ts/core/time.js';
import { ClockFloor } from '../../../firmware-ts/clock/clock-floor.js';
import { openDatabase, type Db } from '../../../firmware-ts/store/database.js';

const DAY = 86400;
const T = Date.parse('2026-11-20T02:00:00Z') / 1000;
let dir: string;
let db: Db;
let log: AuditLog;
let floor: ClockFloor;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'roadscan-purger-'));
  db = openDatabase(join(dir, 'unit.db'));
  log = new AuditLog(db, { deviceId: 'unit-7', operator: '' });
  floor = new ClockFloor(db, { buildTimeSec: T - 365 * DAY, maxAheadSec: 30 * DAY });
  for (const age of [200, 120, 91, 10, 0]) {
    log.record({
      atSec: T - age * DAY,
      reliable: true,
      profile: 'roadside',
      region: '110105',
      station: null,
      result: { verdict: 'accept', reasons: [], type: 'DL', statusKey: null, ms: 0.1 },
    });
  }
});
afterEach(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('AuditPurger', () => {
  it('purges past the retention when the clock is reliable', () => {
    const purged: number[] = [];
    const p = new AuditPurger(log, floor, { retentionDays: 90, requireAck: false, clock: fixedClock(T * 1000), onPurge: (n) => purged.push(n) });
    expect(p.purgeOnce()).toBe(3);
    expect(purged).toEqual([3]);
    expect(log.count()).toBe(2);
  });

  it('keeps unacknowledged records when uploading', () => {
    log.acknowledge(1);
    const p = new AuditPurger(log, floor, { retentionDays: 90, requireAck: true, clock: fixedClock(T * 1000) });
    expect(p.purgeOnce()).toBe(1);
    expect(log.count()).toBe(4);
  });

  it('does nothing while the clock is unreliable: a clock far ahead must not empty the log', () => {
    floor.raise(T, 'manifest');
    const ahead = new AuditPurger(log, floor, { retentionDays: 90, requireAck: false, clock: fixedClock((T + 10 * 365 * DAY) * 1000) });
    expect(ahead.purgeOnce()).toBeNull();
    const behind = new AuditPurger(log, floor, { retentionDays: 90, requireAck: false, clock: fixedClock(0) });
    expect(behind.purgeOnce()).toBeNull();
    expect(log.count()).toBe(5);
  });

  it('start() purges at once and stop() ends the schedule', () => {
    const p = new AuditPurger(log, floor, { retentionDays: 90, requireAck: false, clock: fixedClock(T * 1000), periodMs: 60_000 });
    p.start();
    p.stop();
    expect(log.count()).toBe(2);
  });
});

describe('AuditPurger with an AuditUploader', () => {
  it('when uploading, a record leaves the device only once the collector holds it', async () => {
    const { AuditUploader } = await import('../../../firmware-ts/audit/audit-uploader.js');
    const { AuditCollector } = await import('../../../sim/audit/audit-collector.js');
    const collector = new AuditCollector();
    const { url } = await collector.start();
    try {
      const purger = new AuditPurger(log, floor, { retentionDays: 90, requireAck: true, clock: fixedClock(T * 1000) });
      expect(purger.purgeOnce()).toBe(0); // nothing acknowledged yet
      collector.refuseNext(1);
      const uploader = new AuditUploader(log, { url, batchSize: 2, timeoutMs: 5000 });
      expect((await uploader.uploadOnce()).ok).toBe(false);
      expect(purger.purgeOnce()).toBe(0);
      expect(await uploader.uploadOnce()).toEqual({ ok: true, acked: 5, pending: 0 });
      expect(purger.purgeOnce()).toBe(3);
      expect(collector.records()).toHaveLength(5);
    } finally {
      await collector.stop();
    }
  });
});
