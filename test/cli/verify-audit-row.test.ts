/**
 * `roadscan verify` at a gate or a window and the appliance answer a code through the same scan
 * path, so they write the same audit row for it: the service (in process, its own pseudo-terminal
 * scanner, its audit writer) scans a ticket into one database, the real `roadscan verify` binary
 * verifies the same ticket into another, and the two rows agree in every column but the row's
 * sequence number, the scan id, the check's latency and its link in its log's hash chain. A dry
 * run writes none.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { halOptions, openRuntime } from '../../firmware-ts/app/index.js';
import { ServiceHost } from '../../firmware-ts/app/service-host.js';
import { createLogger } from '../../firmware-ts/log/logger.js';
import { createHal } from '../../hal/index.js';
import { TestAuthority } from '../../sim/authority/test-authority.js';
import { waitUntil, writeTo } from '../hal/helpers/events.js';
import { runCli } from '../helpers/cli.js';
import { NOW, NOW_ISO, STATION } from '../helpers/reason-cases.js';

let dir: string;
let trustFile: string;
let config: string;
const authority = TestAuthority.create();
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'roadscan-verify-row-'));
  trustFile = join(dir, 'trust.json');
  writeFileSync(trustFile, JSON.stringify(authority.trustList()));
  config = join(dir, 'config.json');
  writeFileSync(config, JSON.stringify({ screen: { enabled: false }, health: { enabled: false }, log: { level: 'silent' } }));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

type Row = Record<string, unknown>;

function auditRows(file: string): Row[] {
  const db = new Database(file, { readonly: true });
  try {
    const held = db.prepare("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'audit_log'").pluck().get() === 1;
    return held ? (db.prepare('SELECT * FROM audit_log ORDER BY seq').all() as Row[]) : [];
  } finally {
    db.close();
  }
}

/**
 * A row without what differs between any two scans of one code: its place in the log, its id, its
 * latency, and its link in its own log's hash chain (the previous record's hash, a random salt).
 */
function comparable(row: Row): Row {
  const { seq: _seq, scan_id: scanId, ms, prev, salt, ...rest } = row;
  expect(scanId).toMatch(/^[0-9a-f]{16}$/);
  expect(typeof ms).toBe('number');
  // Both chained: a record of the command is as much a link of the chain as one of the service.
  expect([(prev as Buffer).length, (salt as Buffer).length]).toEqual([32, 16]);
  return rest;
}

const common = (profile: string, db: string) => [
  '--config',
  config,
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
];

/** The service as `roadscan run` builds it, one code scanned on its pseudo-terminal; its audit rows once stopped. */
async function scanWithService(profile: string, db: string, code: string): Promise<Row[]> {
  const rt = await openRuntime({ config, trust: trustFile, db, now: NOW_ISO, profile, region: '110105', station: STATION });
  const hal = await createHal(halOptions(rt.config, { hal: 'sim', scannerPath: 'pty', drawLeds: false }));
  const host = new ServiceHost({ rt, hal, logger: createLogger(rt.config, { destination: 2 }) });
  try {
    await host.start();
    let scanned = false;
    host.path.on('scan', () => (scanned = true));
    writeTo(hal.ptyInput!, `${code}\r\n`);
    await waitUntil(() => (scanned ? true : undefined), 'the scan', 10_000);
  } finally {
    // Stopping closes the audit writer: every record handed over is written by then.
    await host.stop();
    rt.close();
  }
  return auditRows(db);
}

describe('roadscan verify and the appliance write the same audit row', () => {
  for (const profile of ['gate', 'window'] as const) {
    it(`at a ${profile}`, async () => {
      const ticket = authority.code({ type: 'TK', now: NOW }).text;
      const service = await scanWithService(profile, join(dir, `${profile}-service.db`), ticket);
      const verifyDb = join(dir, `${profile}-verify.db`);
      const verified = await runCli(['verify', '--json', ...common(profile, verifyDb), ticket]);
      expect(verified.stderr).toBe('');
      const command = auditRows(verifyDb);
      expect(service).toHaveLength(1);
      expect(command).toHaveLength(1);
      expect(comparable(command[0]!)).toEqual(comparable(service[0]!));
      expect(command[0]).toMatchObject({ at_sec: NOW, profile, station: STATION, type: 'TK', action: null });
      // A dry run looks only: no row.
      const dryDb = join(dir, `${profile}-dry.db`);
      const dry = await runCli(['verify', '--json', '--dry-run', ...common(profile, dryDb), ticket]);
      expect(dry.stderr).toBe('');
      expect(auditRows(dryDb)).toEqual([]);
    });
  }
});
