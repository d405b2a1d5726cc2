/**
 * Spec 1.2 (docs/CREDENTIALS.md section 6, the voucher paragraph): at a window a ticket may be exchanged
 * for a paper voucher until the end of the CST date `voucher.days` (31 by default) after the date of
 * `dep`; later VOUCHER_PERIOD_ENDED. Within the period a window lists neither ALREADY_BOARDED nor
 * EXPIRED for it. A ticket boards at a gate on its departure day (2026-10-20, CST); the same
 * database then answers at a window at 23:59:59 CST on day 31 (2026-11-20) and at 00:00:00 CST on
 * day 32 (2026-11-21), across the CST midnight (16:00 UTC). TICKET_USED and TICKET_REFUNDED need a
 * synced status list and are not producible here (corpus.ts).
 * @module
 */
import { EXP, at, type Claims, type Dat } from './claims.js';
import { Setting } from './corpus-setting.js';
import type { IssuerKit } from './issuer-kit.js';

const STATION = 'S110105001';
const DEP = '2026-10-20T10:30:00+08:00';
const dat = (claims: Claims): Dat => claims.get('dat') as Dat;

export function voucherSettings(kit: IssuerKit): Setting[] {
  const gate = new Setting('voucher: gate on the departure day', 'gate', '110105', '2026-10-20T10:00:00+08:00', STATION);
  const dep = at(DEP);
  const ticket = (expSec: number): Claims => {
    const c = kit.claims('TK', gate.nowSec, STATION);
    dat(c).set('dep', dep);
    c.set(EXP, expSec);
    return c;
  };
  // Past its exp a day after departure; the other is valid well past the voucher period.
  const boarded = ticket(dep + 86_400);
  const unboardedExpired = ticket(dep + 86_400);
  const longLived = ticket(dep + 60 * 86_400);
  gate.expect('TK boards 30 min before departure', kit.bare(boarded), ['CHECK_ID'], 'TK');
  gate.expect('same TK again at the gate', kit.bare(boarded), ['ALREADY_BOARDED', 'CHECK_ID'], 'TK');

  const day31 = new Setting('voucher: window day 31 23:59:59 CST', 'window', '110105', '2026-11-20T23:59:59+08:00');
  day31.dbName = gate.dbName;
  day31.expect('boarded, expired TK at a window on day 31: exchanged', kit.bare(boarded), ['CHECK_ID'], 'TK');
  day31.expect('expired, never boarded TK at a window on day 31: exchanged', kit.bare(unboardedExpired), ['CHECK_ID'], 'TK');
  day31.expect('valid TK at a window on day 31: exchanged', kit.bare(longLived), ['CHECK_ID'], 'TK');

  const day32 = new Setting('voucher: window day 32 00:00:00 CST', 'window', '110105', '2026-11-21T00:00:00+08:00');
  day32.dbName = gate.dbName;
  day32.expect('boarded, expired TK at a window on day 32', kit.bare(boarded), ['EXPIRED', 'VOUCHER_PERIOD_ENDED', 'CHECK_ID'], 'TK');
  day32.expect('expired, never boarded TK at a window on day 32', kit.bare(unboardedExpired), ['EXPIRED', 'VOUCHER_PERIOD_ENDED', 'CHECK_ID'], 'TK');
  day32.expect('valid TK at a window on day 32', kit.bare(longLived), ['VOUCHER_PERIOD_ENDED', 'CHECK_ID'], 'TK');

  // Day 32 at 00:00:00 CST is still day 31 in UTC (16:00): the period is counted in CST dates.
  const day32Utc = new Setting('voucher: window day 32 00:00:00 CST given in UTC', 'window', '110105', '2026-11-20T16:00:00Z');
  day32Utc.dbName = gate.dbName;
  day32Utc.expect('valid TK at a window, 16:00 UTC on day 31 UTC', kit.bare(longLived), ['VOUCHER_PERIOD_ENDED', 'CHECK_ID'], 'TK');
  const day31Utc = new Setting('voucher: window day 31 23:59:59 CST given in UTC', 'window', '110105', '2026-11-20T15:59:59Z');
  day31Utc.dbName = gate.dbName;
  day31Utc.expect('valid TK at a window, 15:59:59 UTC', kit.bare(longLived), ['CHECK_ID'], 'TK');
  return [gate, day31, day32, day32Utc, day31Utc];
}
