/**
 * Region adoption: by 2026 DL, VR, VA and VD are nationwide, while tickets are only accepted in
 * the pilot provinces. Shanghai (310000) and Sichuan (510000) are not pilots.
 * @module
 */
import type { Claims, Dat } from './claims.js';
import { Setting } from './corpus-setting.js';
import type { IssuerKit } from './issuer-kit.js';

const NOW = '2026-11-20T10:00:00+08:00';

export function shanghaiWindowSetting(kit: IssuerKit): Setting {
  const s = new Setting('window 310000', 'window', '310000', NOW);
  const now = s.nowSec;
  s.expect('TK at a Shanghai window', kit.bare(kit.claims('TK', now)), ['NOT_ACCEPTED_IN_REGION', 'CHECK_ID'], 'TK');
  s.expect('DL live in Shanghai', kit.live(kit.claims('DL', now), { gen: now }), [], 'DL');
  s.expect('VR live in Shanghai', kit.live(kit.claims('VR', now), { gen: now }), [], 'VR');
  s.expect('VA live in Shanghai', kit.live(kit.claims('VA', now), { gen: now }), [], 'VA');
  s.expect('VD in Shanghai', kit.bare(kit.claims('VD', now)), [], 'VD');
  return s;
}

export function sichuanRoadsideSetting(kit: IssuerKit): Setting {
  const s = new Setting('roadside 510000', 'roadside', '510000', NOW);
  const now = s.nowSec;
  s.expect('TK at a Sichuan roadside', kit.bare(kit.claims('TK', now)), ['NOT_ACCEPTED_IN_REGION', 'NOT_APPLICABLE'], 'TK');
  s.expect('DL live in Sichuan', kit.live(kit.claims('DL', now), { gen: now }), [], 'DL');
  s.expect('VR live in Sichuan', kit.live(kit.claims('VR', now), { gen: now }), ['PAPER_REQUIRED'], 'VR');
  return s;
}

export function sichuanGateSetting(kit: IssuerKit): Setting {
  const station = 'S510100001';
  const s = new Setting('gate 510000 S510100001', 'gate', '510000', NOW, station);
  const now = s.nowSec;
  const tk: Claims = kit.claims('TK', now, station);
  s.expect('TK at a Sichuan gate, its own station', kit.bare(tk), ['NOT_ACCEPTED_IN_REGION', 'CHECK_ID'], 'TK');
  s.expect('same TK again (refused, so never boarded)', kit.bare(tk), ['NOT_ACCEPTED_IN_REGION', 'CHECK_ID'], 'TK');
  const other: Claims = kit.claims('TK', now, 'S110105001');
  (other.get('dat') as Dat).set('dep', now + 7200);
  s.expect('TK at a Sichuan gate, other station, too early', kit.bare(other), ['NOT_ACCEPTED_IN_REGION', 'WRONG_STATION', 'OUTSIDE_BOARDING_WINDOW', 'CHECK_ID'], 'TK');
  s.expect('DL live at a Sichuan gate', kit.live(kit.claims('DL', now), { gen: now }), ['NOT_APPLICABLE'], 'DL');
  return s;
}
