/**
 * The checker reads every number and profile entry from the policy in force (docs/STATUS-LIST.md
 * "Signed documents"): the same codes judged under the shipped defaults and under a changed
 * policy, so a verdict that moves can only have moved with the policy.
 * @module
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { shippedChecker, shippedPolicy } from '../../../firmware-ts/app/shipped-checker.js';
import { cstDate } from '../../../firmware-ts/core/cst.js';
import { packagedConfigFile } from '../../../firmware-ts/paths.js';
import type { RulesPolicy } from '../../../firmware-ts/policy/rules-policy.js';
import { parseRulesData } from '../../../firmware-ts/rules/rules-data.js';
import { TestAuthority } from '../../../sim/authority/test-authority.js';
import { NOW, STATION } from '../../helpers/reason-cases.js';

const authority = TestAuthority.create();
const time = { nowSec: NOW, reliable: true };
const DAY = 86400;

/** The shipped policy with `change` applied to its JSON (version 5). */
function changed(change: (doc: Record<string, Record<string, unknown>>) => void): RulesPolicy {
  const doc = JSON.parse(readFileSync(packagedConfigFile('policy.json'), 'utf8')) as Record<string, Record<string, unknown>>;
  change(doc);
  return parseRulesData('policy', { ...doc, version: 5, expires: '2030-01-01T00:00:00Z' }).policy;
}

const check = (text: string, profile: 'roadside' | 'window' | 'gate', policy?: RulesPolicy) =>
  shippedChecker({ trust: authority.trustList(), profile, station: profile === 'gate' ? STATION : null, ...(policy ? { policy } : {}) }).check(text, time);

describe('the policy in force decides', () => {
  it('the presentation window: a 90 s old code is refused under a 60 s window, a 30 s one accepted', () => {
    const short = changed((d) => {
      d.presentation = { windowSec: 60, skewSec: 30 };
    });
    const old = authority.code({ type: 'DL', now: NOW, genAgeSec: 90 }).text;
    expect(check(old, 'roadside').reasons).not.toContain('STALE_PRESENTATION');
    expect(check(old, 'roadside', short).reasons).toContain('STALE_PRESENTATION');
    expect(check(authority.code({ type: 'DL', now: NOW, genAgeSec: 30 }).text, 'roadside', short).reasons).not.toContain('STALE_PRESENTATION');
  });

  it('the profile table: VR ok at the roadside, DL CHECK_ID at a window', () => {
    const table = changed((d) => {
      d.profiles = { ...d.profiles, roadside: { ...(d.profiles!.roadside as object), VR: 'ok' }, window: { ...(d.profiles!.window as object), DL: 'CHECK_ID' } };
    });
    const vr = authority.code({ type: 'VR', now: NOW }).text;
    expect(check(vr, 'roadside').reasons).toContain('PAPER_REQUIRED');
    expect(check(vr, 'roadside', table).reasons).not.toContain('PAPER_REQUIRED');
    const dl = authority.code({ type: 'DL', now: NOW }).text;
    expect(check(dl, 'window').reasons).not.toContain('CHECK_ID');
    expect(check(dl, 'window', table)).toMatchObject({ verdict: 'warn', reasons: ['CHECK_ID', 'STATUS_LIST_STALE'] });
  });

  it('a type made NOT_APPLICABLE where it served, and served where it did not', () => {
    const table = changed((d) => {
      d.profiles = { ...d.profiles, roadside: { ...(d.profiles!.roadside as object), DL: 'NOT_APPLICABLE', VD: 'ok' } };
    });
    expect(check(authority.code({ type: 'DL', now: NOW }).text, 'roadside', table).reasons).toContain('NOT_APPLICABLE');
    const vd = authority.code({ type: 'VD', now: NOW, nbf: NOW - DAY, exp: NOW + DAY }).text;
    expect(check(vd, 'roadside').reasons).toContain('NOT_APPLICABLE');
    expect(check(vd, 'roadside', table).reasons).not.toContain('NOT_APPLICABLE');
  });

  it('escalate: INSPECTION_OVERDUE rejects', () => {
    const strict = changed((d) => {
      d.escalate = ['INSPECTION_OVERDUE'] as unknown as Record<string, unknown>;
    });
    const overdue = authority.code({ type: 'VR', now: NOW, dat: { ivu: cstDate(NOW - 10 * DAY) } }).text;
    expect(check(overdue, 'window')).toMatchObject({ verdict: 'warn', reasons: ['INSPECTION_OVERDUE', 'STATUS_LIST_STALE'] });
    expect(check(overdue, 'window', strict)).toMatchObject({ verdict: 'reject', reasons: ['INSPECTION_OVERDUE', 'STATUS_LIST_STALE'] });
  });

  it('the boarding window and the working days', () => {
    const tight = changed((d) => {
      d.boarding = { beforeDepMin: 20, afterDepMin: 0 };
      d.authorization = { maxWorkingDays: 2 };
    });
    const ticket = authority.code({ type: 'TK', now: NOW, dat: { dep: NOW + 30 * 60 } }).text;
    expect(check(ticket, 'gate').reasons).not.toContain('OUTSIDE_BOARDING_WINDOW');
    expect(check(ticket, 'gate', tight).reasons).toContain('OUTSIDE_BOARDING_WINDOW');
    // 2026-11-20 is a Friday: Friday to Tuesday holds 3 working days.
    const grant = authority.code({ type: 'VA', now: NOW, nbf: NOW - 3600, exp: NOW + 4 * DAY }).text;
    expect(check(grant, 'window').reasons).not.toContain('AUTHORIZATION_TOO_LONG');
    expect(check(grant, 'window', tight).reasons).toContain('AUTHORIZATION_TOO_LONG');
  });

  it('the list age: a 24 h policy makes a never-synced list stale; the shipped policy is version 0', () => {
    expect(shippedPolicy().version).toBe(0);
    expect(check(authority.code({ type: 'DL', now: NOW }).text, 'roadside').reasons).toEqual(['STATUS_LIST_STALE']);
  });
});
