/**
 * The whole conformance corpus: every setting with its lines, minted from one IssuerKit (fresh
 * keys) so one trust list covers it all. Can also be written to a folder for a manual run.
 * @module
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { adoptionSettings } from './cases-adoption.js';
import { nationalDaySetting, springFestivalSetting, year2027Setting, yearEndSetting } from './cases-calendar.js';
import { gateSettings } from './cases-gate.js';
import { addMalformedClaims } from './cases-malformed-claims.js';
import { addMalformedWire } from './cases-malformed-wire.js';
import { shanghaiWindowSetting, sichuanGateSetting, sichuanRoadsideSetting } from './cases-region.js';
import { roadsideSetting } from './cases-roadside.js';
import { voucherSettings } from './cases-voucher.js';
import { windowSetting } from './cases-window.js';
import type { Setting } from './corpus-setting.js';
import type { Reason } from './expectations.js';
import { IssuerKit } from './issuer-kit.js';

/**
 * Section 6 codes that need a synced status list, a system clock (never with --now), a recorded
 * voucher swap (an operator's confirmation), a station's shared record, or a trust list with `expires`.
 */
export const NOT_PRODUCIBLE_HERE: readonly Reason[] = [
  'REVOKED',
  'SUSPENDED',
  'OVERDUE_MEDICAL',
  'OVERDUE_REVIEW',
  'ANNOUNCED_INVALID',
  'AUTHORIZATION_CANCELLED',
  'TICKET_REFUNDED',
  'TICKET_USED',
  'CLOCK_UNRELIABLE',
  'VOUCHER_ISSUED',
  'STATION_OFFLINE',
  'TRUST_STALE',
];

export function buildCorpus(kit: IssuerKit = new IssuerKit()): Setting[] {
  const roadside = roadsideSetting(kit);
  addMalformedClaims(roadside, kit);
  const window = windowSetting(kit);
  addMalformedWire(window, kit);
  return [
    roadside,
    window,
    ...gateSettings(kit),
    nationalDaySetting(kit),
    springFestivalSetting(kit),
    yearEndSetting(kit),
    year2027Setting(kit),
    shanghaiWindowSetting(kit),
    sichuanRoadsideSetting(kit),
    sichuanGateSetting(kit),
    ...adoptionSettings(kit),
    ...voucherSettings(kit),
  ];
}

/** How many exact expectations carry each reason. */
export function reasonCounts(settings: readonly Setting[]): Map<Reason, number> {
  const counts = new Map<Reason, number>();
  for (const s of settings) {
    for (const line of s.lines) {
      if (line.expect.kind !== 'exact') continue;
      for (const r of line.expect.reasons) counts.set(r, (counts.get(r) ?? 0) + 1);
    }
  }
  return counts;
}

/** Writes trust.json, one `<n>-<setting>.txt` per setting and `expected.json`, for a manual run. */
export function writeCorpus(dir: string, kit: IssuerKit, settings: readonly Setting[]): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'trust.json'), JSON.stringify(kit.trustList(), null, 2));
  const index = settings.map((s, i) => {
    const file = `${i}-${s.name.replace(/[^A-Za-z0-9]+/g, '-')}.txt`;
    writeFileSync(join(dir, file), s.lines.map((l) => l.text + '\n').join(''));
    return { file, args: s.cliArgs(), lines: s.lines.map((l) => ({ name: l.name, expect: l.expect })) };
  });
  writeFileSync(join(dir, 'expected.json'), JSON.stringify(index, null, 1));
}
