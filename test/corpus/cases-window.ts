/**
 * A service window in Beijing at 2026-11-20 01:00 CST, an hour when the UTC date is still the 19th:
 * date fields (licence validity, inspection mark) must be compared with the CST date. Also the
 * window row of the profile table and the holder-binding rules for every type.
 * @module
 */
import { CNF, EXP, IAT, NBF, at, cnfOf, type Claims, type Dat } from './claims.js';
import { Setting } from './corpus-setting.js';
import type { IssuerKit } from './issuer-kit.js';

const dat = (claims: Claims): Dat => claims.get('dat') as Dat;

export function windowSetting(kit: IssuerKit): Setting {
  const s = new Setting('window 110105 01:00 CST', 'window', '110105', '2026-11-20T01:00:00+08:00');
  const now = s.nowSec;
  const withDat = (typ: 'DL' | 'VR' | 'VD', field: string, value: string): Claims => {
    const c = kit.claims(typ, now);
    dat(c).set(field, value);
    return c;
  };

  s.expect('DL live at a window', kit.live(kit.claims('DL', now), { gen: now }), [], 'DL');
  s.expect('VR live at a window', kit.live(kit.claims('VR', now), { gen: now }), [], 'VR');
  s.expect('VA live at a window', kit.live(kit.claims('VA', now), { gen: now }), [], 'VA');
  s.expect('VD at a window', kit.bare(kit.claims('VD', now)), [], 'VD');
  s.expect('VD at a window, raw untagged', kit.bare(kit.claims('VD', now), { compress: false, sign: { tagged: false } }), [], 'VD');
  s.expect('TK at a window', kit.bare(kit.claims('TK', now)), ['CHECK_ID'], 'TK');

  s.expect('VR ivu = yesterday CST (= today UTC)', kit.live(withDat('VR', 'ivu', '2026-11-19'), { gen: now }), ['INSPECTION_OVERDUE'], 'VR');
  s.expect('VR ivu = today CST', kit.live(withDat('VR', 'ivu', '2026-11-20'), { gen: now }), [], 'VR');
  s.expect('VD ivu = yesterday CST', kit.bare(withDat('VD', 'ivu', '2026-11-19')), ['INSPECTION_OVERDUE'], 'VD');
  s.expect('VD ivu = today CST', kit.bare(withDat('VD', 'ivu', '2026-11-20')), [], 'VD');
  s.expect('DL vto = yesterday CST (= today UTC)', kit.live(withDat('DL', 'vto', '2026-11-19'), { gen: now }), ['EXPIRED'], 'DL');
  s.expect('DL vto = today CST', kit.live(withDat('DL', 'vto', '2026-11-20'), { gen: now }), [], 'DL');
  s.expect('DL vfr = today CST (= tomorrow UTC)', kit.live(withDat('DL', 'vfr', '2026-11-20'), { gen: now }), [], 'DL');
  s.expect('DL vfr = tomorrow CST', kit.live(withDat('DL', 'vfr', '2026-11-21'), { gen: now }), ['NOT_YET_VALID'], 'DL');

  s.expect('VR bare at a window', kit.bare(kit.claims('VR', now)), ['PRESENTATION_REQUIRED'], 'VR');
  s.expect('VA bare at a window', kit.bare(kit.claims('VA', now)), ['PRESENTATION_REQUIRED'], 'VA');
  const vdBound = kit.claims('VD', now);
  vdBound.set(CNF, cnfOf(kit.holder.publicKey));
  s.expect('VD that has a cnf, shown bare', kit.bare(vdBound), ['PRESENTATION_REQUIRED'], 'VD');
  s.expect('VD that has a cnf, shown live', kit.live(vdBound, { gen: now }), [], 'VD');
  const tkBound = kit.claims('TK', now);
  tkBound.set(CNF, cnfOf(kit.holder.publicKey));
  s.expect('TK that has a cnf, shown bare', kit.bare(tkBound), ['PRESENTATION_REQUIRED', 'CHECK_ID'], 'TK');
  s.expect('VD without cnf wrapped in a presentation', kit.live(kit.claims('VD', now), { gen: now }), ['BAD_HOLDER_SIGNATURE'], 'VD');

  const span = (typ: 'VA' | 'VD', from: string, to: string): Claims => {
    const c = kit.claims(typ, now);
    c.set(IAT, at(from));
    c.set(NBF, at(from));
    c.set(EXP, at(to));
    return c;
  };
  s.expect(
    'VA Nov 16-25: 8 working days',
    kit.live(span('VA', '2026-11-16T09:00:00+08:00', '2026-11-25T18:00:00+08:00'), { gen: now }),
    ['AUTHORIZATION_TOO_LONG'],
    'VA',
  );
  s.expect('VA Nov 16-24: 7 working days', kit.live(span('VA', '2026-11-16T09:00:00+08:00', '2026-11-24T18:00:00+08:00'), { gen: now }), [], 'VA');
  s.expect('VD Nov 13-24: 8 working days', kit.bare(span('VD', '2026-11-13T09:00:00+08:00', '2026-11-24T18:00:00+08:00')), ['AUTHORIZATION_TOO_LONG'], 'VD');
  s.expect('VD Nov 14-24: 7 working days', kit.bare(span('VD', '2026-11-14T09:00:00+08:00', '2026-11-24T18:00:00+08:00')), [], 'VD');

  // 1.1: any instant past year 9999 counts as past it; a span of more than 31 dates is too long.
  const farExp = (typ: 'VA' | 'VD', exp: number | bigint, nbf?: number): Claims => {
    const c = kit.claims(typ, now);
    c.set(EXP, exp);
    if (nbf !== undefined) c.set(NBF, nbf);
    return c;
  };
  for (const [label, exp] of [
    ['2^32', 2 ** 32],
    ['2^40', 2 ** 40],
    ['253402300800', 253402300800],
    ['2^64-1', 2n ** 64n - 1n],
  ] as const) {
    s.expect(`VA exp ${label}`, kit.live(farExp('VA', exp), { gen: now }), ['AUTHORIZATION_TOO_LONG'], 'VA');
    s.expect(`VD exp ${label}`, kit.bare(farExp('VD', exp)), ['AUTHORIZATION_TOO_LONG'], 'VD');
  }
  s.expect('VA nbf 0, exp end of 9999', kit.live(farExp('VA', 253402300799, 0), { gen: now }), ['AUTHORIZATION_TOO_LONG'], 'VA');
  s.expect('VD Nov 1 to Dec 2: 32 dates', kit.bare(span('VD', '2026-11-01T09:00:00+08:00', '2026-12-02T18:00:00+08:00')), ['AUTHORIZATION_TOO_LONG'], 'VD');
  // 1.1: a VA may name the VR's issuer (ris); a VD may carry ref and ris.
  const vaRis = kit.claims('VA', now);
  dat(vaRis).set('ris', 'CN-MPS-120000');
  s.expect('VA with ris of another issuer', kit.live(vaRis, { gen: now }), [], 'VA');
  const vdRef = kit.claims('VD', now);
  dat(vdRef).set('ref', new Uint8Array(16).fill(7));
  s.expect('VD with ref', kit.bare(vdRef), [], 'VD');
  dat(vdRef).set('ris', 'CN-MPS-120000');
  s.expect('VD with ref and ris', kit.bare(vdRef), [], 'VD');
  const vdRefShort = kit.claims('VD', now);
  dat(vdRefShort).set('ref', new Uint8Array(15));
  s.malformed('VD ref of 15 bytes', kit.bare(vdRefShort));
  const vaRisInt = kit.claims('VA', now);
  dat(vaRisInt).set('ris', 120000);
  s.malformed('VA ris an int', kit.live(vaRisInt, { gen: now }));

  const tkGone = kit.claims('TK', now);
  dat(tkGone).set('dep', now - 2 * 86_400);
  dat(tkGone).set('frm', 'S440100009');
  s.expect('TK at a window: other station, departed (gate rules do not apply)', kit.bare(tkGone), ['CHECK_ID'], 'TK');
  return s;
}
