/**
 * The `policy` rules data and the window's voucher rules of spec 1.2, end to end: the test
 * authority publishes on a real HTTP server on 127.0.0.1, the scanner runs the built
 * `roadscan sync`, then `roadscan verify` (with `--confirm` at a window, as the clerk's button).
 *
 * Voucher rules (default policy, 31 days): used (status list TICKET_USED), boarded (this
 * device's own record) and refunded tickets at a window and at a gate, on day 31 at 23:59:59 CST
 * and on day 32 at 00:00:00 CST after the date of departure (one second apart, across the CST
 * midnight, which is 16:00 UTC). Then a signed policy: a shorter presentation window, VR `ok`
 * at the roadside, INSPECTION_OVERDUE escalated, 3 voucher days; one out of bounds refuses the
 * whole sync; a configuration laxer than the policy does not loosen it.
 * @module
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cstDate, cstDayNumber } from '../../firmware-ts/core/cst.js';
import { packagedConfigFile } from '../../firmware-ts/paths.js';
import { signPublication } from '../../sim/authority/signed-publications.js';
import type { DocumentToPublish } from '../../sim/status/status-publisher.js';
import { runCli } from '../helpers/cli.js';
import { StatusWorld } from '../firmware-ts/status/status-fixture.js';

const DAY = 86400;
const NOW_SEC = Math.floor(Date.now() / 1000);
const iso = (sec: number) => new Date(sec * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
const EXPIRES = iso(NOW_SEC + 365 * DAY);
const STATION = 'S110105001';
/** Departure in an hour; the last second of the voucher period, and the first after it. */
const DEP = NOW_SEC + 3600;
const PERIOD_END = (cstDayNumber(DEP) + 31 + 1) * DAY - 8 * 3600;
const DAY31_LAST = PERIOD_END - 1;
const DAY32_FIRST = PERIOD_END;

interface Verdict {
  verdict: string;
  reasons: string[];
}

describe('spec 1.2: the policy document and the voucher period, through roadscan sync and roadscan verify', () => {
  let w: StatusWorld;
  let trustFile: string;
  const shippedPolicy = () => JSON.parse(readFileSync(packagedConfigFile('policy.json'), 'utf8')) as Record<string, unknown>;
  const policyDoc = (json: Record<string, unknown>): DocumentToPublish => ({
    version: json.version as number,
    bytes: signPublication(JSON.stringify(json), { root: w.rootKeys, sl: w.authority.keys.sl }),
  });
  const ticket = (over: { exp?: number } = {}) => w.authority.code({ type: 'TK', now: DEP - 1800, exp: over.exp ?? DEP + 6 * 3600, dat: { dep: DEP } });

  async function sync(db: string) {
    const r = await runCli(['sync', '--url', w.server.url, '--json', '--db', db, '--trust', trustFile]);
    return JSON.parse(r.stdout) as { ok: boolean; error: string | null; rules?: Record<string, number> };
  }
  async function verify(db: string, text: string, at: number, place: 'window' | 'gate' | 'roadside', extra: string[] = []): Promise<Verdict> {
    const args = ['verify', '--json', '--db', db, '--trust', trustFile, '--now', iso(at), '--profile', place, '--region', '110105', ...extra, text];
    if (place === 'gate') args.push('--station', STATION);
    const r = await runCli(args);
    return JSON.parse(r.stdout) as Verdict;
  }
  async function status(db: string) {
    return JSON.parse((await runCli(['status', '--json', '--db', db, '--trust', trustFile])).stdout) as {
      seq: number;
      rules: Record<string, number | null>;
      policy: { version: number; expires: string | null; tightened: string[]; ignored: string[] };
    };
  }

  const used = () => ticket();
  const refunded = () => ticket();
  let usedCode: ReturnType<typeof used>;
  let refundedCode: ReturnType<typeof refunded>;
  let voucherDb: string;

  beforeAll(async () => {
    w = await StatusWorld.create();
    w.db.close();
    trustFile = join(w.root, 'trust.json');
    writeFileSync(trustFile, JSON.stringify(w.authority.trustList(1, { root: w.rootKeys, expires: EXPIRES })));
    usedCode = used();
    refundedCode = refunded();
    w.publish({ [usedCode.statusKey]: 8, [refundedCode.statusKey]: 7 });
    voucherDb = join(w.root, 'voucher.db');
    expect(await sync(voucherDb)).toMatchObject({ ok: true });
  }, 120_000);
  afterAll(() => w?.close());

  describe('the voucher period (31 days by default)', () => {
    it('a used ticket at a window: exchanged on day 31 (neither TICKET_USED nor EXPIRED), VOUCHER_PERIOD_ENDED on day 32', async () => {
      expect(cstDate(DAY31_LAST)).not.toBe(cstDate(DAY32_FIRST));
      const late = await verify(voucherDb, usedCode.text, DAY31_LAST, 'window', ['--dry-run']);
      expect(late.verdict).toBe('warn');
      expect(late.reasons).toContain('CHECK_ID');
      expect(late.reasons).not.toContain('TICKET_USED');
      expect(late.reasons).not.toContain('EXPIRED');
      const ended = await verify(voucherDb, usedCode.text, DAY32_FIRST, 'window', ['--dry-run']);
      expect(ended.verdict).toBe('reject');
      expect(ended.reasons).toContain('VOUCHER_PERIOD_ENDED');
    });

    it('the clerk confirms the exchange on day 31: recorded, a second exchange is VOUCHER_ISSUED', async () => {
      const first = await verify(voucherDb, usedCode.text, DAY31_LAST - 60, 'window', ['--confirm']);
      expect(first.verdict).toBe('warn');
      const second = await verify(voucherDb, usedCode.text, DAY31_LAST, 'window', ['--confirm']);
      expect(second).toMatchObject({ verdict: 'reject' });
      expect(second.reasons).toContain('VOUCHER_ISSUED');
    });

    it('a used ticket at a gate: TICKET_USED refuses', async () => {
      const r = await verify(voucherDb, usedCode.text, DEP - 1200, 'gate');
      expect(r.verdict).toBe('reject');
      expect(r.reasons).toContain('TICKET_USED');
    });

    it('a refunded ticket: TICKET_REFUNDED at a window on day 1 and day 31, and at a gate', async () => {
      for (const at of [DEP + 3600, DAY31_LAST]) {
        const r = await verify(voucherDb, refundedCode.text, at, 'window', ['--dry-run']);
        expect(r.verdict).toBe('reject');
        expect(r.reasons).toContain('TICKET_REFUNDED');
      }
      const gate = await verify(voucherDb, refundedCode.text, DEP - 1200, 'gate', ['--dry-run']);
      expect(gate.reasons).toContain('TICKET_REFUNDED');
    });

    it('a ticket boarded on this device: ALREADY_BOARDED at the gate again, exchanged at the window on day 31, VOUCHER_PERIOD_ENDED on day 32', async () => {
      const boarded = ticket();
      const board = await verify(voucherDb, boarded.text, DEP - 1200, 'gate');
      expect(board.verdict).not.toBe('reject');
      expect((await verify(voucherDb, boarded.text, DEP - 600, 'gate')).reasons).toContain('ALREADY_BOARDED');
      const late = await verify(voucherDb, boarded.text, DAY31_LAST, 'window', ['--confirm']);
      expect(late.verdict).toBe('warn');
      expect(late.reasons).not.toContain('ALREADY_BOARDED');
      expect(late.reasons).not.toContain('EXPIRED');
      const other = ticket();
      await verify(voucherDb, other.text, DEP - 1200, 'gate');
      const ended = await verify(voucherDb, other.text, DAY32_FIRST, 'window', ['--confirm']);
      expect(ended.verdict).toBe('reject');
      expect(ended.reasons).toContain('VOUCHER_PERIOD_ENDED');
    });
  });

  describe('a signed policy', () => {
    let db: string;
    const POLICY_V1 = () => ({
      ...shippedPolicy(),
      version: 1,
      expires: EXPIRES,
      presentation: { windowSec: 60, skewSec: 30 },
      voucher: { days: 3 },
      profiles: { ...(shippedPolicy().profiles as object), roadside: { DL: 'ok', VR: 'ok', VA: 'PAPER_REQUIRED', VD: 'NOT_APPLICABLE', TK: 'NOT_APPLICABLE' } },
      escalate: ['INSPECTION_OVERDUE'],
    });

    beforeAll(async () => {
      db = join(w.root, 'policy.db');
      expect(await sync(db)).toMatchObject({ ok: true });
    }, 60_000);

    it('before: version 0 rules: a 90 s old code, PAPER_REQUIRED, INSPECTION_OVERDUE a warn', async () => {
      expect((await status(db)).policy).toMatchObject({ version: 0, expires: null, tightened: [], ignored: [] });
      expect((await verify(db, w.authority.code({ type: 'DL', now: NOW_SEC, genAgeSec: 90 }).text, NOW_SEC, 'roadside')).reasons).not.toContain('STALE_PRESENTATION');
      expect((await verify(db, w.authority.code({ type: 'VR', now: NOW_SEC }).text, NOW_SEC, 'roadside')).reasons).toContain('PAPER_REQUIRED');
    });

    it('taken by sync; then a 90 s old code is refused, a 30 s one accepted; VR ok at the roadside; INSPECTION_OVERDUE rejects', async () => {
      w.publish({}, { rules: { policy: policyDoc(POLICY_V1()) } });
      expect(await sync(db)).toMatchObject({ ok: true, rules: { policy: 1 } });
      expect((await status(db)).policy).toMatchObject({ version: 1, expires: EXPIRES });
      const old = await verify(db, w.authority.code({ type: 'DL', now: NOW_SEC, genAgeSec: 90 }).text, NOW_SEC, 'roadside');
      expect(old.verdict).toBe('reject');
      expect(old.reasons).toContain('STALE_PRESENTATION');
      const fresh = await verify(db, w.authority.code({ type: 'DL', now: NOW_SEC, genAgeSec: 30 }).text, NOW_SEC, 'roadside');
      expect(fresh.reasons).not.toContain('STALE_PRESENTATION');
      expect(fresh.verdict).toBe('accept');
      const vr = await verify(db, w.authority.code({ type: 'VR', now: NOW_SEC }).text, NOW_SEC, 'roadside');
      expect(vr).toMatchObject({ verdict: 'accept', reasons: [] });
      const overdue = await verify(db, w.authority.code({ type: 'VR', now: NOW_SEC, dat: { ivu: cstDate(NOW_SEC - 10 * DAY) } }).text, NOW_SEC, 'window');
      expect(overdue).toMatchObject({ verdict: 'reject', reasons: ['INSPECTION_OVERDUE'] });
    });

    it('3 voucher days: a used ticket exchanged on day 3, VOUCHER_PERIOD_ENDED on day 4', async () => {
      const end = (cstDayNumber(DEP) + 3 + 1) * DAY - 8 * 3600;
      expect((await verify(db, usedCode.text, end - 1, 'window', ['--dry-run'])).verdict).toBe('warn');
      expect((await verify(db, usedCode.text, end, 'window', ['--dry-run'])).reasons).toContain('VOUCHER_PERIOD_ENDED');
    });

    it('a configuration laxer than the policy does not loosen it, and config check says so', async () => {
      const config = join(w.root, 'lax.json');
      writeFileSync(config, JSON.stringify({ db, presentation: { windowSec: 300 }, statusList: { maxAgeHours: 6 } }));
      const old = await runCli([
        'verify',
        '--json',
        '--config',
        config,
        '--trust',
        trustFile,
        '--now',
        iso(NOW_SEC),
        w.authority.code({ type: 'DL', now: NOW_SEC, genAgeSec: 90 }).text,
      ]);
      expect((JSON.parse(old.stdout) as Verdict).reasons).toContain('STALE_PRESENTATION');
      const check = await runCli(['config', 'check', config]);
      expect(check.code).toBe(0);
      expect(check.stdout).toBe('ok\n');
      expect(check.stderr).toMatch(/presentation\.windowSec: 300 is laxer than the policy in force \(version 1: presentation\.windowSec 60\) and does not apply/);
      const st = JSON.parse((await runCli(['status', '--json', '--config', config, '--trust', trustFile])).stdout) as {
        policy: { tightened: string[]; ignored: string[] };
      };
      expect(st.policy).toMatchObject({ tightened: ['statusList.maxAgeHours'], ignored: ['presentation.windowSec'] });
    });

    it('out of bounds: refused, the whole sync refused, nothing changed', async () => {
      const before = await status(db);
      const licence = w.authority.code({ type: 'DL', now: NOW_SEC });
      w.publish({ [licence.statusKey]: 1 }, { rules: { policy: policyDoc({ ...POLICY_V1(), version: 2, presentation: { windowSec: 5, skewSec: 30 } }) } });
      const out = await sync(db);
      expect(out.ok).toBe(false);
      expect(out.error).toMatch(/policy: presentation\.windowSec: not an integer from 10 to 600/);
      const after = await status(db);
      expect(after).toMatchObject({ seq: before.seq, rules: before.rules, policy: { version: 1 } });
      expect((await verify(db, licence.text, NOW_SEC, 'roadside')).reasons).not.toContain('REVOKED');
    });
  });
});
