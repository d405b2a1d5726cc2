import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AuditLog, type AuditEntry } from '../../../firmware-ts/audit/audit-log.js';
import { openDatabase, type Db } from '../../../firmware-ts/store/database.js';

let dir: string;
let db: Db;
const DAY = 86400;
const T0 = Date.parse('2026-11-20T02:00:00Z') / 1000;

function entry(over: Partial<AuditEntry> = {}, result: Partial<AuditEntry['result']> = {}): AuditEntry {
  return {
    atSec: T0,
    reliable: true,
    profile: 'roadside',
    region: '110105',
    station: null,
    ...over,
    result: { verdict: 'warn', reasons: ['PAPER_REQUIRED'], type: 'VR', statusKey: 'ab'.repeat(16), ms: 0.4321, ...result },
  };
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'roadscan-audit-'));
  db = openDatabase(join(dir, 'audit.db'));
});
afterEach(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('AuditLog.record', () => {
  it('writes one row per scan with the columns an inspector needs, and returns increasing seqs', () => {
    const log = new AuditLog(db, { deviceId: 'unit-7', operator: 'op-0042' });
    const a = log.record(entry());
    const b = log.record(
      entry(
        { atSec: T0 + 1, reliable: false, profile: 'gate', station: 'S110105001' },
        {
          verdict: 'reject',
          reasons: ['ALREADY_BOARDED', 'CHECK_ID', 'CLOCK_UNRELIABLE'],
          type: 'TK',
          statusKey: null,
          ms: 1.5,
        },
      ),
    );
    expect(b).toBe(a + 1);
    expect([...log.export(0)]).toEqual([
      {
        seq: a,
        at: '2026-11-20T02:00:00.000Z',
        device: 'unit-7',
        operator: 'op-0042',
        profile: 'roadside',
        region: '110105',
        station: null,
        verdict: 'warn',
        reasons: ['PAPER_REQUIRED'],
        type: 'VR',
        statusKey: 'ab'.repeat(16),
        clockReliable: true,
        ms: 0.432,
        prev: expect.stringMatching(/^[0-9a-f]{64}$/),
        salt: expect.stringMatching(/^[0-9a-f]{32}$/),
      },
      {
        seq: b,
        at: '2026-11-20T02:00:01.000Z',
        device: 'unit-7',
        operator: 'op-0042',
        profile: 'gate',
        region: '110105',
        station: 'S110105001',
        verdict: 'reject',
        reasons: ['ALREADY_BOARDED', 'CHECK_ID', 'CLOCK_UNRELIABLE'],
        type: 'TK',
        statusKey: null,
        clockReliable: false,
        ms: 1.5,
        prev: expect.stringMatching(/^[0-9a-f]{64}$/),
        salt: expect.stringMatching(/^[0-9a-f]{32}$/),
      },
    ]);
  });

  it('stores nothing of the person: the displayed fields never reach the database file', () => {
    const log = new AuditLog(db, { deviceId: 'unit-7', operator: '' });
    const scan = { ...entry().result, fields: { name: '张三丰', idNumber: '110101199003071234', plate: '京A·98765' } };
    for (let i = 0; i < 50; i++) log.record({ ...entry(), result: scan });
    db.pragma('wal_checkpoint(PASSIVE)');
    const bytes = Buffer.concat(readdirSync(dir).map((f) => readFileSync(join(dir, f))));
    for (const secret of ['张三丰', '110101199003071234', '98765']) {
      expect(bytes.includes(Buffer.from(secret, 'utf8'))).toBe(false);
    }
    expect(bytes.includes(Buffer.from('PAPER_REQUIRED'))).toBe(true);
  });

  it('refuses entries outside the closed vocabularies instead of storing them', () => {
    const log = new AuditLog(db, { deviceId: 'unit-7', operator: '' });
    const bad: AuditEntry[] = [
      entry({}, { verdict: 'maybe' as never }),
      entry({}, { reasons: ['NOT_A_CODE' as never] }),
      entry({}, { type: 'PASSPORT' }),
      entry({}, { statusKey: 'zz'.repeat(16) }),
      entry({}, { statusKey: 'ab' }),
      entry({ atSec: 1.5 }),
      entry({ station: 'S1\u001b[2J' }),
      entry({ region: '' }),
      entry({ profile: 'x'.repeat(65) }),
    ];
    for (const e of bad) expect(() => log.record(e)).toThrow(TypeError);
    expect(log.count()).toBe(0);
    expect(() => new AuditLog(db, { deviceId: 'unit\u202e7', operator: '' })).toThrow(/device id/);
    expect(() => new AuditLog(db, { deviceId: '', operator: '' })).toThrow(/device id/);
  });

  it('keeps a non-finite latency out of the database as 0', () => {
    const log = new AuditLog(db, { deviceId: 'unit-7', operator: '' });
    log.record(entry({}, { ms: Number.NaN }));
    expect([...log.export(0)][0]!.ms).toBe(0);
  });
});

describe('AuditLog.export', () => {
  it('yields records at or after the instant, oldest first', () => {
    const log = new AuditLog(db, { deviceId: 'unit-7', operator: '' });
    for (let i = 0; i < 5; i++) log.record(entry({ atSec: T0 + i * 60 }));
    expect([...log.export(T0 + 120)].map((r) => r.at)).toEqual(['2026-11-20T02:02:00.000Z', '2026-11-20T02:03:00.000Z', '2026-11-20T02:04:00.000Z']);
    expect([...log.export(T0 + 1e6)]).toEqual([]);
  });
});

describe('AuditLog retention and acknowledgement', () => {
  it('purges by retention, and with requireAck only what the collector acknowledged', () => {
    const log = new AuditLog(db, { deviceId: 'unit-7', operator: '' });
    const seqs = [100, 95, 91, 89, 10].map((ageDays) => log.record(entry({ atSec: T0 - ageDays * DAY })));
    log.acknowledge(seqs[1]!);
    // Older than 90 days: the first three; acknowledged: the first two.
    expect(log.purge(T0, 90, { requireAck: true })).toBe(2);
    expect([...log.export(0)].map((r) => r.seq)).toEqual(seqs.slice(2));
    expect(log.purge(T0, 90)).toBe(1);
    expect([...log.export(0)].map((r) => r.seq)).toEqual(seqs.slice(3));
    expect(log.purge(T0 + 100 * DAY, 90)).toBe(2);
    expect(log.count()).toBe(0);
  });

  it('never reuses a sequence number, even once every row was purged', () => {
    const log = new AuditLog(db, { deviceId: 'unit-7', operator: '' });
    const last = log.record(entry({ atSec: T0 - 200 * DAY }));
    log.purge(T0, 90);
    expect(log.count()).toBe(0);
    expect(log.record(entry())).toBe(last + 1);
  });

  it('tracks what is pending; the acknowledged mark only moves forward', () => {
    const log = new AuditLog(db, { deviceId: 'unit-7', operator: '' });
    for (let i = 0; i < 7; i++) log.record(entry({ atSec: T0 + i }));
    expect(log.pending(3).map((r) => r.seq)).toEqual([1, 2, 3]);
    log.acknowledge(3);
    log.acknowledge(2);
    expect(log.ackedThrough()).toBe(3);
    expect(log.pendingCount()).toBe(4);
    expect(log.pending(10).map((r) => r.seq)).toEqual([4, 5, 6, 7]);
    expect(() => log.acknowledge(-1)).toThrow(TypeError);
  });

  it('keeps its log id across restarts; a new database starts a new log', () => {
    const id = new AuditLog(db, { deviceId: 'unit-7', operator: '' }).logId;
    db.close();
    db = openDatabase(join(dir, 'audit.db'));
    expect(new AuditLog(db, { deviceId: 'unit-7', operator: '' }).logId).toBe(id);
    const other = openDatabase(join(dir, 'other.db'));
    expect(new AuditLog(other, { deviceId: 'unit-7', operator: '' }).logId).not.toBe(id);
    other.close();
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
  });
});
