import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../firmware-ts/store/database.js';
import { shippedChecker } from '../../firmware-ts/app/shipped-checker.js';
import { statusDataDir } from '../../firmware-ts/status/list/index.js';
import { StatusListStore } from '../../firmware-ts/status/list/index.js';
import { entryKey } from '../../firmware-ts/status/list/index.js';
import type { ReasonCode } from '../../firmware-ts/core/reasons.js';
import { publishNext } from '../../sim/status/status-publisher.js';
import { StatusServer } from '../../sim/status/status-server.js';
import { ISSUERS, TestAuthority } from '../../sim/authority/test-authority.js';
import { runCli } from '../helpers/cli.js';
import { NOW, NOW_ISO } from '../helpers/reason-cases.js';

const authority = TestAuthority.create();
let dir: string;
let trustFile: string;
let server: StatusServer;

interface Case {
  name: string;
  profile: 'roadside' | 'window';
  text: string;
  reasons: ReasonCode[];
}
const cases: Case[] = [];
const changes = new Map<string, number>();

function listed(name: string, profile: Case['profile'], type: 'DL' | 'VR' | 'VA' | 'TK', status: number, reasons: ReasonCode[]) {
  const code = authority.code({ type, now: NOW });
  changes.set(code.statusKey, status);
  cases.push({ name, profile, text: code.text, reasons });
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'roadscan-status-reasons-'));
  trustFile = join(dir, 'trust.json');
  writeFileSync(trustFile, JSON.stringify(authority.trustList()));
  listed('REVOKED', 'roadside', 'DL', 1, ['REVOKED']);
  listed('SUSPENDED', 'roadside', 'DL', 2, ['SUSPENDED']);
  listed('OVERDUE_MEDICAL', 'roadside', 'DL', 3, ['OVERDUE_MEDICAL']);
  listed('OVERDUE_REVIEW', 'roadside', 'DL', 4, ['OVERDUE_REVIEW']);
  listed('ANNOUNCED_INVALID', 'roadside', 'DL', 5, ['ANNOUNCED_INVALID']);
  listed('AUTHORIZATION_CANCELLED', 'roadside', 'VA', 6, ['AUTHORIZATION_CANCELLED', 'PAPER_REQUIRED']);
  listed('TICKET_REFUNDED', 'window', 'TK', 7, ['TICKET_REFUNDED', 'CHECK_ID']);
  // Spec 1.2: within the voucher period a window lists no TICKET_USED (the gate refuses it: test/cli/policy-and-voucher.test.ts).
  listed('TICKET_USED', 'window', 'TK', 8, ['CHECK_ID']);
  listed('an unknown status byte counts as revoked', 'roadside', 'DL', 200, ['REVOKED']);
  const vr = authority.code({ type: 'VR', now: NOW });
  changes.set(vr.statusKey, 1);
  cases.push({
    name: 'a VA whose registration is revoked',
    profile: 'roadside',
    text: authority.code({ type: 'VA', now: NOW, dat: { ref: vr.cti } }).text,
    reasons: ['REVOKED', 'PAPER_REQUIRED'],
  });
  // 1.1: the owner's VR may be another authority's (ris); a VD names its VR too (ref, ris).
  const elsewhere = 'CN-MPS-120000';
  const vrElsewhere = new Uint8Array(randomBytes(16));
  changes.set(entryKey(elsewhere, vrElsewhere).toString('hex'), 1);
  const vrHereOnly = new Uint8Array(randomBytes(16));
  changes.set(entryKey(ISSUERS.mps, vrHereOnly).toString('hex'), 2);
  const vrSuspendedElsewhere = new Uint8Array(randomBytes(16));
  changes.set(entryKey(elsewhere, vrSuspendedElsewhere).toString('hex'), 2);
  const va = (ref: Uint8Array, ris?: string) => authority.code({ type: 'VA', now: NOW, dat: { ref, ...(ris ? { ris } : {}) } }).text;
  const vd = (dat: Record<string, unknown>) => authority.code({ type: 'VD', now: NOW, dat }).text;
  cases.push({
    name: 'a VA whose registration at another authority (ris) is revoked',
    profile: 'roadside',
    text: va(vrElsewhere, elsewhere),
    reasons: ['REVOKED', 'PAPER_REQUIRED'],
  });
  cases.push({
    name: "a VA with ris: a listed VR of its own issuer with that ref is not the owner's",
    profile: 'roadside',
    text: va(vrHereOnly, elsewhere),
    reasons: ['PAPER_REQUIRED'],
  });
  cases.push({ name: 'a VD whose registration (ref, own issuer) is revoked', profile: 'window', text: vd({ ref: vr.cti }), reasons: ['REVOKED'] });
  cases.push({
    name: 'a VD whose registration at another authority (ref, ris) is suspended',
    profile: 'window',
    text: vd({ ref: vrSuspendedElsewhere, ris: elsewhere }),
    reasons: ['SUSPENDED'],
  });
  cases.push({ name: 'a VD without ref has no registration to look up', profile: 'window', text: vd({}), reasons: [] });
  cases.push({ name: 'not listed', profile: 'roadside', text: authority.code({ type: 'DL', now: NOW }).text, reasons: [] });
  const published = join(dir, 'published');
  publishNext({ dir: published, key: authority.keys.sl, iat: NOW - 3600, changes });
  server = await StatusServer.start(published);
});
afterAll(async () => {
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('status-list reasons after a real sync over HTTP', () => {
  it('through roadscan sync and roadscan verify', async () => {
    const db = join(dir, 'cli.db');
    const sync = await runCli(['sync', '--json', '--url', server.url, '--trust', trustFile, '--db', db, '--now', NOW_ISO]);
    expect(sync.code).toBe(0);
    expect(JSON.parse(sync.stdout)).toMatchObject({ ok: true, seq: 1, applied: 'snapshot', entries: changes.size });
    for (const profile of ['roadside', 'window'] as const) {
      const group = cases.filter((k) => k.profile === profile);
      const res = await runCli(['verify', '--json', '--trust', trustFile, '--db', db, '--now', NOW_ISO, '--profile', profile], {
        input: group.map((k) => k.text).join('\n'),
      });
      expect(res.code).toBe(0);
      const answers = res.stdout
        .trimEnd()
        .split('\n')
        .map((l) => JSON.parse(l).reasons);
      group.forEach((k, i) => expect({ name: k.name, reasons: answers[i] }).toEqual({ name: k.name, reasons: k.reasons }));
    }
    const stale = await runCli(['verify', '--json', '--trust', trustFile, '--db', db, '--now', new Date((NOW + 25 * 3600) * 1000).toISOString(), cases.at(-1)!.text]);
    expect(JSON.parse(stale.stdout).reasons).toContain('STATUS_LIST_STALE');
  });

  it('through the library, against the store the sync left', async () => {
    const db = join(dir, 'lib.db');
    expect((await runCli(['sync', '--url', server.url, '--trust', trustFile, '--db', db, '--now', NOW_ISO])).code).toBe(0);
    const handle = openDatabase(db);
    const store = StatusListStore.open(handle, statusDataDir(db));
    try {
      for (const k of cases) {
        const r = shippedChecker({ trust: authority.trustList(), profile: k.profile, status: store }).check(k.text, { nowSec: NOW, reliable: true });
        expect({ name: k.name, reasons: r.reasons }).toEqual({ name: k.name, reasons: k.reasons });
      }
    } finally {
      store.close();
      handle.close();
    }
  });

  it('CLOCK_UNRELIABLE when the system clock is below the floor a verified manifest raised', async () => {
    const ahead = join(dir, 'ahead');
    const realNow = Math.floor(Date.now() / 1000);
    publishNext({ dir: ahead, key: authority.keys.sl, iat: realNow + 2 * 86400, changes: new Map() });
    const aheadServer = await StatusServer.start(ahead);
    try {
      const db = join(dir, 'clock.db');
      expect((await runCli(['sync', '--url', aheadServer.url, '--trust', trustFile, '--db', db])).code).toBe(0);
      const ticket = authority.code({ type: 'TK', now: realNow }).text;
      const res = await runCli(['verify', '--json', '--trust', trustFile, '--db', db, '--profile', 'window', ticket]);
      expect(JSON.parse(res.stdout).reasons).toEqual(['CHECK_ID', 'CLOCK_UNRELIABLE']);
      const status = await runCli(['status', '--json', '--db', db]);
      expect(JSON.parse(status.stdout)).toMatchObject({ seq: 1, clock: 'unreliable' });
    } finally {
      await aheadServer.close();
    }
  });
});
