/**
 * A ticket gate at station S110105001 (Beijing) at 2026-11-20 10:00 CST, all lines through one
 * process and one database so boarding state carries from line to line: the station and the
 * boarding window [dep - 60 min, dep + 10 min], boarding once, and that a refused scan (a forgery,
 * a wrong station) does not use up the genuine ticket.
 * @module
 */
import { EXP, ISS, NBF, type Claims, type Dat } from './claims.js';
import { Setting } from './corpus-setting.js';
import type { IssuerKit } from './issuer-kit.js';
import { flipSignature } from './tamper.js';

const STATION = 'S110105001';
const dat = (claims: Claims): Dat => claims.get('dat') as Dat;

/** The gate, then a second process on the same database (boarding survives a restart). */
export function gateSettings(kit: IssuerKit): Setting[] {
  const s = new Setting('gate 110105 S110105001', 'gate', '110105', '2026-11-20T10:00:00+08:00', STATION);
  const now = s.nowSec;
  const ticket = (dep = now + 1800, frm = STATION): Claims => {
    const c = kit.claims('TK', now, frm);
    dat(c).set('dep', dep);
    return c;
  };

  const first = ticket();
  s.expect('TK boards 30 min before departure', kit.bare(first), ['CHECK_ID'], 'TK');
  s.expect('same TK again', kit.bare(first), ['ALREADY_BOARDED', 'CHECK_ID'], 'TK');
  s.expect('same TK again, raw untagged re-encoding', kit.bare(first, { compress: false, sign: { tagged: false } }), ['ALREADY_BOARDED', 'CHECK_ID'], 'TK');

  s.expect('TK dep = now + 60 min (window opens)', kit.bare(ticket(now + 3600)), ['CHECK_ID'], 'TK');
  s.expect('TK dep = now + 60 min + 1 s (too early)', kit.bare(ticket(now + 3601)), ['OUTSIDE_BOARDING_WINDOW', 'CHECK_ID'], 'TK');
  s.expect('TK dep = now - 10 min (window closes)', kit.bare(ticket(now - 600)), ['CHECK_ID'], 'TK');
  s.expect('TK dep = now - 10 min - 1 s (too late)', kit.bare(ticket(now - 601)), ['OUTSIDE_BOARDING_WINDOW', 'CHECK_ID'], 'TK');
  s.expect('TK departed yesterday', kit.bare(ticket(now - 86_400)), ['OUTSIDE_BOARDING_WINDOW', 'CHECK_ID'], 'TK');

  const elsewhere = ticket(now + 1800, 'S110105002');
  s.expect('TK for another station', kit.bare(elsewhere), ['WRONG_STATION', 'CHECK_ID'], 'TK');
  s.expect('TK for another station again (a refusal does not board)', kit.bare(elsewhere), ['WRONG_STATION', 'CHECK_ID'], 'TK');
  s.expect('TK for another station, tomorrow', kit.bare(ticket(now + 86_400, 'S120101001')), ['WRONG_STATION', 'OUTSIDE_BOARDING_WINDOW', 'CHECK_ID'], 'TK');

  const genuine = ticket();
  s.expect('forged copy of a ticket comes first', kit.bare(genuine, { tamper: flipSignature }), ['BAD_SIGNATURE', 'CHECK_ID'], 'TK');
  s.expect('then the genuine ticket boards', kit.bare(genuine), ['CHECK_ID'], 'TK');
  s.expect('and cannot board twice', kit.bare(genuine), ['ALREADY_BOARDED', 'CHECK_ID'], 'TK');

  const cloned = ticket();
  s.expect('same iss and cti from an unknown key first', kit.bare(cloned, { by: kit.rogue }), ['UNKNOWN_ISSUER', 'CHECK_ID'], 'TK');
  s.expect('then the genuine ticket with that cti boards', kit.bare(cloned), ['CHECK_ID'], 'TK');

  const expired = ticket();
  expired.set(EXP, now);
  s.expect('TK expired (exp = now)', kit.bare(expired), ['EXPIRED', 'CHECK_ID'], 'TK');
  s.expect('TK expired, again', kit.bare(expired), ['EXPIRED', 'CHECK_ID'], 'TK');
  const early = ticket();
  early.set(NBF, now + 60);
  s.expect('TK not yet valid', kit.bare(early), ['NOT_YET_VALID', 'CHECK_ID'], 'TK');
  s.expect('TK wrapped in a presentation', kit.live(ticket(), { gen: now }), ['BAD_HOLDER_SIGNATURE', 'CHECK_ID'], 'TK');

  s.expect('DL live at a gate', kit.live(kit.claims('DL', now), { gen: now }), ['NOT_APPLICABLE'], 'DL');
  s.expect('VR live at a gate', kit.live(kit.claims('VR', now), { gen: now }), ['NOT_APPLICABLE'], 'VR');
  s.expect('VA live at a gate', kit.live(kit.claims('VA', now), { gen: now }), ['NOT_APPLICABLE'], 'VA');
  s.expect('VD at a gate', kit.bare(kit.claims('VD', now)), ['NOT_APPLICABLE'], 'VD');
  s.expect('TK frm in lower case', kit.bare(ticket(now + 1800, STATION.toLowerCase())), ['WRONG_STATION', 'CHECK_ID'], 'TK');
  s.expect('TK frm with a trailing space', kit.bare(ticket(now + 1800, STATION + ' ')), ['WRONG_STATION', 'CHECK_ID'], 'TK');
  const shared = ticket();
  s.expect('TK of issuer 1 boards', kit.bare(shared), ['CHECK_ID'], 'TK');
  const sameCti = new Map(shared);
  sameCti.set(ISS, kit.mot2.iss);
  s.expect('TK of issuer 2 with the same cti boards (another entry key)', kit.bare(sameCti, { by: kit.mot2 }), ['CHECK_ID'], 'TK');
  s.expect('TK of issuer 2 again', kit.bare(sameCti, { by: kit.mot2 }), ['ALREADY_BOARDED', 'CHECK_ID'], 'TK');
  const vrOld = kit.claims('VR', now);
  dat(vrOld).set('ivu', '2026-11-01');
  s.expect('VR live at a gate, inspection overdue', kit.live(vrOld, { gen: now }), ['NOT_APPLICABLE', 'INSPECTION_OVERDUE'], 'VR');
  s.malformed('garbage at a gate', 'RS1:NOT A CODE');

  const again = new Setting('gate 110105 S110105001, second process', 'gate', '110105', s.now, STATION);
  again.dbName = s.dbName;
  again.expect('first TK, after a restart', kit.bare(first), ['ALREADY_BOARDED', 'CHECK_ID'], 'TK');
  again.expect('genuine TK, after a restart', kit.bare(genuine, { compress: false }), ['ALREADY_BOARDED', 'CHECK_ID'], 'TK');
  again.expect('TK refused before (other station) is still not boarded', kit.bare(elsewhere), ['WRONG_STATION', 'CHECK_ID'], 'TK');
  again.expect('a new TK boards', kit.bare(ticket()), ['CHECK_ID'], 'TK');
  return [s, again];
}
