/**
 * Adoption dates from the seed articles (docs/DESIGN.md): the e-licence piloted in the cities of
 * Tianjin, Chengdu and Suzhou from 2021-06-01 (a city, not its province); the e-registration
 * piloted from July 2024 in 60 cities including Beijing, nationwide in batches up to 2024-12-02,
 * the day Rizhao (Shandong) started. VA and VD follow VR. The Rizhao pair sits either side of
 * midnight CST on the start day, when the UTC date is still the day before.
 * @module
 */
import { Setting, type Profile } from './corpus-setting.js';
import type { Reason } from './expectations.js';
import type { IssuerKit } from './issuer-kit.js';

type Row = [typ: 'DL' | 'VR' | 'VA' | 'VD' | 'TK', reasons: Reason[]];

function setting(kit: IssuerKit, name: string, profile: Profile, region: string, now: string, rows: Row[]): Setting {
  const s = new Setting(name, profile, region, now);
  for (const [typ, reasons] of rows) {
    const claims = kit.claims(typ, s.nowSec);
    s.expect(`${typ} in ${region} at ${now}`, kit.shown(claims, s.nowSec), reasons, typ);
  }
  return s;
}

export function adoptionSettings(kit: IssuerKit): Setting[] {
  const pilot = '2021-06-15T10:00:00+08:00';
  return [
    setting(kit, 'roadside 120101 Tianjin 2021-06', 'roadside', '120101', pilot, [
      ['DL', []],
      ['VR', ['NOT_ACCEPTED_IN_REGION', 'PAPER_REQUIRED']],
      ['TK', ['NOT_APPLICABLE']],
    ]),
    setting(kit, 'roadside 310101 Shanghai 2021-06', 'roadside', '310101', pilot, [['DL', ['NOT_ACCEPTED_IN_REGION']]]),
    setting(kit, 'roadside 510104 Chengdu 2021-06', 'roadside', '510104', pilot, [['DL', []]]),
    setting(kit, 'roadside 510703 Mianyang 2021-06', 'roadside', '510703', pilot, [['DL', ['NOT_ACCEPTED_IN_REGION']]]),
    setting(kit, 'roadside 320505 Suzhou 2021-06', 'roadside', '320505', pilot, [['DL', []]]),
    setting(kit, 'roadside 320102 Nanjing 2021-06', 'roadside', '320102', pilot, [['DL', ['NOT_ACCEPTED_IN_REGION']]]),
    setting(kit, 'roadside 310101 Shanghai 2022-03', 'roadside', '310101', '2022-03-01T10:00:00+08:00', [['DL', []]]),
    setting(kit, 'window 110105 Beijing 2024-08', 'window', '110105', '2024-08-01T10:00:00+08:00', [
      ['VR', []],
      ['VA', []],
      ['VD', []],
      ['DL', []],
    ]),
    setting(kit, 'window 371102 Rizhao 2024-12-01 23:30', 'window', '371102', '2024-12-01T23:30:00+08:00', [
      ['VR', ['NOT_ACCEPTED_IN_REGION']],
      ['VA', ['NOT_ACCEPTED_IN_REGION']],
      ['VD', ['NOT_ACCEPTED_IN_REGION']],
      ['DL', []],
    ]),
    setting(kit, 'window 371102 Rizhao 2024-12-02 00:30', 'window', '371102', '2024-12-02T00:30:00+08:00', [
      ['VR', []],
      ['VA', []],
      ['VD', []],
    ]),
    setting(kit, 'window 310101 Shanghai 2024-12-03', 'window', '310101', '2024-12-03T10:00:00+08:00', [
      ['VR', []],
      ['VD', []],
    ]),
  ];
}
