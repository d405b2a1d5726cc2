/**
 * Operator decisions in the audit log: a scan row carries its scan id, an action row names the
 * scan it answers with what was done, both leave the device in export and upload, and a log made
 * before scan ids is migrated in place without losing a row.
 * @module
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createPublicKey, generateKeyPairSync } from 'node:crypto';
import { AuditLog, type AuditEntry } from '../../../firmware-ts/audit/audit-log.js';
import { proofLines } from '../../../firmware-ts/audit/audit-proof.js';
import { deviceKeyInfoOf, parsePublicKey } from '../../../firmware-ts/audit/device-key.js';
import { verifyProof } from '../../../firmware-ts/audit/proof-verify.js';
import { openDatabase, type Db } from '../../../firmware-ts/store/database.js';

let dir: string;
let db: Db;
const T0 = Date.parse('2026-11-20T02:00:00Z') / 1000;
const KEY = 'cd'.repeat(16);

function gateScan(over: Partial<AuditEntry> = {}): AuditEntry {
  return {
    atSec: T0,
    reliable: true,
    profile: 'gate',
    region: '110105',
    station: 'S1',
    result: { verdict: 'warn', reasons: ['CHECK_ID'], type: 'TK', statusKey: KEY, ms: 0.5 },
    ...over,
  };
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'roadscan-audit-actions-'));
  db = openDatabase(join(dir, 'audit.db'));
});
afterEach(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('AuditLog: operator actions', () => {
  it('keeps the scan id on the scan and the action, with source and result, on the answer', () => {
    const log = new AuditLog(db, { deviceId: 'gate-1', operator: 'op-7' });
    log.record(gateScan({ scanId: '00aa11bb22cc33dd' }));
    log.record(gateScan({ atSec: T0 + 4, scanId: '00aa11bb22cc33dd', action: { action: 'refuse', source: 'buttons', result: 'boarding-undone' } }));
    const [scan, answer] = [...log.export(0)];
    expect(scan).toMatchObject({ seq: 1, scanId: '00aa11bb22cc33dd', verdict: 'warn', reasons: ['CHECK_ID'] });
    expect(scan).not.toHaveProperty('action');
    expect(answer).toMatchObject({
      seq: 2,
      at: '2026-11-20T02:00:04.000Z',
      scanId: '00aa11bb22cc33dd',
      statusKey: KEY,
      action: { action: 'refuse', source: 'buttons', result: 'boarding-undone' },
    });
    expect(log.pending(10)).toHaveLength(2);
  });

  it('refuses an action outside its vocabulary, or one that names no scan', () => {
    const log = new AuditLog(db, { deviceId: 'gate-1', operator: '' });
    const bad = { action: 'approve', source: 'buttons', result: 'boarding-kept' } as unknown as AuditEntry['action'];
    expect(() => log.record(gateScan({ scanId: 's', action: bad }))).toThrow(/unknown operator action/);
    expect(() => log.record(gateScan({ action: { action: 'confirm', source: 'screen', result: 'boarding-kept' } }))).toThrow(/name the scan/);
    expect(() => log.record(gateScan({ scanId: 'bad\u202eid' }))).toThrow(/scan id/);
    expect(log.count()).toBe(0);
  });

  it('migrates a log made before scan ids: the old rows stay, without a scan id', () => {
    db.exec(`CREATE TABLE audit_log (
       seq INTEGER PRIMARY KEY AUTOINCREMENT, at_sec INTEGER NOT NULL, device_id TEXT NOT NULL, operator TEXT NOT NULL,
       profile TEXT NOT NULL, region TEXT NOT NULL, station TEXT,
       verdict TEXT NOT NULL CHECK (verdict IN ('accept', 'warn', 'reject')), reasons TEXT NOT NULL,
       type TEXT CHECK (type IS NULL OR type IN ('DL', 'VR', 'VA', 'VD', 'TK')),
       status_key TEXT CHECK (status_key IS NULL OR length(status_key) = 32),
       clock_reliable INTEGER NOT NULL CHECK (clock_reliable IN (0, 1)), ms REAL NOT NULL);
     CREATE INDEX audit_log_at ON audit_log (at_sec);
     CREATE TABLE audit_state (id INTEGER PRIMARY KEY CHECK (id = 1), log_id TEXT NOT NULL, acked_through INTEGER NOT NULL DEFAULT 0);
     INSERT INTO audit_state VALUES (1, 'old-log', 0);
     INSERT INTO audit_log (at_sec, device_id, operator, profile, region, station, verdict, reasons, type, status_key, clock_reliable, ms)
       VALUES (${T0}, 'gate-1', '', 'gate', '110105', 'S1', 'accept', '', 'TK', '${KEY}', 1, 0.3);
     INSERT INTO schema_version VALUES ('audit-log', 1);`);
    const pem = generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const info = deviceKeyInfoOf(createPublicKey(pem));
    const log = new AuditLog(db, { deviceId: 'gate-1', operator: '' }, { key: { pem, id: info.id, alg: 'Ed25519' } });
    expect(log.logId).toBe('old-log');
    log.record(gateScan({ scanId: 'fresh' }));
    const rows = [...log.export(0)];
    expect(rows.map((r) => r.scanId)).toEqual([undefined, 'fresh']);
    expect(db.prepare("SELECT version FROM schema_version WHERE feature = 'audit-log'").get()).toEqual({ version: 4 });
    // The chain starts after the old rows, with a signed checkpoint saying how many came before it.
    expect(rows.map((r) => r.prev === undefined)).toEqual([true, false]);
    expect(log.checkpoints()).toEqual([expect.objectContaining({ kind: 'start', seq: 1, count: 1, sig: expect.any(String) })]);
    const { problems } = verifyProof(proofLines(log, 'gate-1', null, info, null), parsePublicKey(info.publicKey));
    expect(problems).toEqual([]);
  });
});
