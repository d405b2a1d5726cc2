/**
 * `roadscan verify` at a gate and a window records as the appliance does, on a real SQLite file:
 * a second verify of a ticket at the gate is ALREADY_BOARDED; `--dry-run` answers the same checks
 * and leaves every table of the database exactly as it was; `--confirm` at a window records the
 * voucher swap, and the next swap of that ticket is VOUCHER_ISSUED.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestAuthority } from '../../sim/authority/test-authority.js';
import { runCli } from '../helpers/cli.js';
import { NOW, NOW_ISO, STATION } from '../helpers/reason-cases.js';

let dir: string;
let trustFile: string;
const authority = TestAuthority.create();
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'roadscan-verify-once-'));
  trustFile = join(dir, 'trust.json');
  writeFileSync(trustFile, JSON.stringify(authority.trustList()));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const args = (profile: string, db: string, ...more: string[]) => [
  'verify',
  '--json',
  '--trust',
  trustFile,
  '--db',
  db,
  '--now',
  NOW_ISO,
  '--profile',
  profile,
  '--region',
  '110105',
  '--station',
  STATION,
  ...more,
];
const reasons = (stdout: string) => (JSON.parse(stdout) as { reasons: string[] }).reasons;

/** Every row of every table, so "unchanged" means unchanged. */
function dump(file: string): string {
  const db = new Database(file, { readonly: true });
  try {
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").pluck().all() as string[];
    return JSON.stringify(tables.map((t) => [t, db.prepare(`SELECT * FROM "${t}"`).all()]));
  } finally {
    db.close();
  }
}

describe('roadscan verify records at a gate and a window', () => {
  it('at a gate: the second verify of a ticket is ALREADY_BOARDED; --dry-run changes nothing', async () => {
    const db = join(dir, 'gate.db');
    const ticket = authority.code({ type: 'TK', now: NOW }).text;
    const other = authority.code({ type: 'TK', now: NOW }).text;
    const first = await runCli([...args('gate', db), ticket]);
    expect([first.code, reasons(first.stdout), first.stderr]).toEqual([3, ['CHECK_ID', 'STATUS_LIST_STALE'], '']);
    const before = dump(db);
    // A dry run sees the boarding, and an unboarded ticket looks boardable, yet nothing is written.
    const dryBoarded = await runCli([...args('gate', db, '--dry-run'), ticket]);
    expect([dryBoarded.code, reasons(dryBoarded.stdout)]).toEqual([1, ['ALREADY_BOARDED', 'CHECK_ID', 'STATUS_LIST_STALE']]);
    const dryOther = await runCli([...args('gate', db, '--dry-run'), other]);
    expect(reasons(dryOther.stdout)).toEqual(['CHECK_ID', 'STATUS_LIST_STALE']);
    expect(dump(db)).toBe(before);
    const second = await runCli([...args('gate', db), ticket]);
    expect([second.code, reasons(second.stdout)]).toEqual([1, ['ALREADY_BOARDED', 'CHECK_ID', 'STATUS_LIST_STALE']]);
    // The other ticket was never boarded by the dry run.
    expect(reasons((await runCli([...args('gate', db), other])).stdout)).toEqual(['CHECK_ID', 'STATUS_LIST_STALE']);
  });

  it('at a window: no swap without --confirm; with it, once, then VOUCHER_ISSUED', async () => {
    const db = join(dir, 'window.db');
    const ticket = authority.code({ type: 'TK', now: NOW }).text;
    expect(reasons((await runCli([...args('window', db), ticket])).stdout)).toEqual(['CHECK_ID', 'STATUS_LIST_STALE']);
    const swap = await runCli([...args('window', db, '--confirm'), ticket]);
    expect([swap.code, reasons(swap.stdout)]).toEqual([3, ['CHECK_ID', 'STATUS_LIST_STALE']]);
    const again = await runCli([...args('window', db, '--confirm'), ticket]);
    expect([again.code, reasons(again.stdout)]).toEqual([1, ['VOUCHER_ISSUED', 'CHECK_ID', 'STATUS_LIST_STALE']]);
  });
});
