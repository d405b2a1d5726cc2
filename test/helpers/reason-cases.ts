/**
 * One code per reason of docs/CREDENTIALS.md section 6 that needs no status list, made by the test
 * authority for one instant. Shared by the library tests and the `roadscan verify` tests.
 * @module
 */
import type { ReasonCode } from '../../firmware-ts/core/reasons.js';
import { TestAuthority } from '../../sim/authority/test-authority.js';

export const NOW_ISO = '2026-11-20T10:00:00+08:00';
export const NOW = Date.parse(NOW_ISO) / 1000;
export const STATION = 'S110105001';

export interface Setting {
  profile: 'roadside' | 'window' | 'gate';
  region: string;
  station?: string;
}

export interface ReasonCase {
  name: string;
  setting: Setting;
  text: string;
  /** Reasons before the trailing STATUS_LIST_STALE of a never-synced scanner. */
  reasons: ReasonCode[];
}

const ROADSIDE: Setting = { profile: 'roadside', region: '110105' };
const WINDOW: Setting = { profile: 'window', region: '110105' };
const GATE: Setting = { profile: 'gate', region: '110105', station: STATION };

export function reasonCases(a: TestAuthority): ReasonCase[] {
  const now = NOW;
  const c = (name: string, setting: Setting, text: string, reasons: ReasonCode[]): ReasonCase => ({ name, setting, text, reasons });
  const ticket = a.code({ type: 'TK', now });
  return [
    c('accept: live licence', ROADSIDE, a.code({ type: 'DL', now }).text, []),
    c('MALFORMED: not our prefix', ROADSIDE, 'https://example.com/?q=1', ['MALFORMED']),
    c('MALFORMED: bad Base45', ROADSIDE, 'RS1:abc', ['MALFORMED']),
    c('UNKNOWN_ISSUER', ROADSIDE, a.code({ type: 'DL', now, flaw: 'unknown-issuer' }).text, ['UNKNOWN_ISSUER']),
    c('ISSUER_NOT_AUTHORIZED', ROADSIDE, a.code({ type: 'DL', now, flaw: 'wrong-issuer' }).text, ['ISSUER_NOT_AUTHORIZED']),
    c('BAD_SIGNATURE', ROADSIDE, a.code({ type: 'DL', now, flaw: 'issuer-signature' }).text, ['BAD_SIGNATURE']),
    c('BAD_HOLDER_SIGNATURE', ROADSIDE, a.code({ type: 'DL', now, flaw: 'holder-signature' }).text, ['BAD_HOLDER_SIGNATURE']),
    c('NOT_YET_VALID', ROADSIDE, a.code({ type: 'DL', now, nbf: now + 3600 }).text, ['NOT_YET_VALID']),
    c('EXPIRED', ROADSIDE, a.code({ type: 'DL', now, iat: now - 400 * 86400, exp: now }).text, ['EXPIRED']),
    c('STALE_PRESENTATION: old', ROADSIDE, a.code({ type: 'DL', now, genAgeSec: 181 }).text, ['STALE_PRESENTATION']),
    c('STALE_PRESENTATION: future', ROADSIDE, a.code({ type: 'DL', now, genAgeSec: -31 }).text, ['STALE_PRESENTATION']),
    c('fresh at the window edge', ROADSIDE, a.code({ type: 'DL', now, genAgeSec: 180 }).text, []),
    c('PRESENTATION_REQUIRED', WINDOW, a.code({ type: 'VR', now, live: false }).text, ['PRESENTATION_REQUIRED']),
    c('AUTHORIZATION_TOO_LONG', WINDOW, a.code({ type: 'VD', now, nbf: now - 3600, exp: now + 12 * 86400 }).text, ['AUTHORIZATION_TOO_LONG']),
    c('NOT_ACCEPTED_IN_REGION', { profile: 'window', region: '310101' }, a.code({ type: 'TK', now }).text, ['NOT_ACCEPTED_IN_REGION', 'CHECK_ID']),
    c('NOT_APPLICABLE', ROADSIDE, a.code({ type: 'TK', now }).text, ['NOT_APPLICABLE']),
    c('WRONG_STATION', GATE, a.code({ type: 'TK', now, dat: { frm: 'S120101002' } }).text, ['WRONG_STATION', 'CHECK_ID']),
    c('OUTSIDE_BOARDING_WINDOW', GATE, a.code({ type: 'TK', now, dat: { dep: now + 3 * 3600 } }).text, ['OUTSIDE_BOARDING_WINDOW', 'CHECK_ID']),
    c('CHECK_ID: first boarding', GATE, ticket.text, ['CHECK_ID']),
    c('ALREADY_BOARDED: same ticket again', GATE, ticket.text, ['ALREADY_BOARDED', 'CHECK_ID']),
    c('INSPECTION_OVERDUE', WINDOW, a.code({ type: 'VR', now, dat: { ivu: '2026-11-19' } }).text, ['INSPECTION_OVERDUE']),
    c('PAPER_REQUIRED', ROADSIDE, a.code({ type: 'VR', now }).text, ['PAPER_REQUIRED']),
  ];
}
