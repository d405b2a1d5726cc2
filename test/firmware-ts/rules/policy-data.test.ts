/**
 * The `policy` rules data (docs/STATUS-LIST.md "Signed documents"): the shipped defaults are
 * today's rules exactly, and a document that breaks a bound, names an unknown profile entry,
 * misses a profile or a type, or escalates a code that is not a warn, cannot serve, with one
 * line naming the key.
 * @module
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { packagedConfigFile } from '../../../firmware-ts/paths.js';
import { POLICY_NUMBER_BOUNDS, POLICY_NUMBERS, withLocalNumbers } from '../../../firmware-ts/policy/rules-policy.js';
import { parseRulesData, RulesDataError } from '../../../firmware-ts/rules/rules-data.js';

const shipped = () => JSON.parse(readFileSync(packagedConfigFile('policy.json'), 'utf8')) as Record<string, Record<string, unknown>>;
const parse = (json: unknown) => parseRulesData('policy', json);
/** The shipped document with the number at `path` (`section.key`) set to `v`. */
const withNumber = (path: string, v: unknown) => {
  const doc = shipped();
  const [section, key] = path.split('.') as [string, string];
  doc[section] = { ...doc[section], [key]: v };
  return doc;
};

describe('the policy rules data', () => {
  it('ships version 0 with the spec defaults: numbers, profile table, nothing escalated', () => {
    const r = parse(shipped());
    expect(r.version).toBe(0);
    expect(r.policy.expires).toBeNull();
    expect(r.policy.numbers).toEqual({
      'presentation.windowSec': 180,
      'presentation.skewSec': 30,
      'authorization.maxWorkingDays': 7,
      'boarding.beforeDepMin': 60,
      'boarding.afterDepMin': 10,
      'voucher.days': 31,
      'statusList.maxAgeHours': 24,
    });
    expect(r.policy.profiles).toEqual({
      roadside: { DL: 'ok', VR: 'PAPER_REQUIRED', VA: 'PAPER_REQUIRED', VD: 'NOT_APPLICABLE', TK: 'NOT_APPLICABLE' },
      window: { DL: 'ok', VR: 'ok', VA: 'ok', VD: 'ok', TK: 'CHECK_ID' },
      gate: { DL: 'NOT_APPLICABLE', VR: 'NOT_APPLICABLE', VA: 'NOT_APPLICABLE', VD: 'NOT_APPLICABLE', TK: 'CHECK_ID' },
    });
    expect([...r.policy.escalate]).toEqual([]);
  });

  it('reads a signed document: version, expires, escalate, unknown keys ignored', () => {
    const r = parse({ ...shipped(), version: 3, expires: '2027-03-01T00:00:00Z', escalate: ['INSPECTION_OVERDUE'], later: { x: 1 } });
    expect(r).toMatchObject({ version: 3, policy: { version: 3, expires: '2027-03-01T00:00:00Z' } });
    expect([...r.policy.escalate]).toEqual(['INSPECTION_OVERDUE']);
  });

  it.each(POLICY_NUMBERS.map((n) => [n, POLICY_NUMBER_BOUNDS[n].min, POLICY_NUMBER_BOUNDS[n].max] as const))('%s: %i to %i, no further', (n, min, max) => {
    expect(parse(withNumber(n, min)).policy.numbers[n]).toBe(min);
    expect(parse(withNumber(n, max)).policy.numbers[n]).toBe(max);
    for (const bad of [min - 1, max + 1, 1.5 + min, '30', null]) {
      expect(() => parse(withNumber(n, bad))).toThrow(new RegExp(`^policy: ${n.replace('.', '\\.')}: `));
    }
    expect(() => parse(withNumber(n, undefined))).toThrow(RulesDataError);
  });

  it('refuses a profile entry outside ok, NOT_APPLICABLE, PAPER_REQUIRED, CHECK_ID', () => {
    for (const bad of ['OK', 'REVOKED', 'INSPECTION_OVERDUE', '', 1]) {
      const doc = shipped();
      doc.profiles = { ...doc.profiles, gate: { ...(doc.profiles!.gate as object), TK: bad } };
      expect(() => parse(doc)).toThrow(/^policy: profiles\.gate\.TK: /);
    }
  });

  it('refuses a missing profile or type', () => {
    const noGate = shipped();
    const { gate: _gate, ...rest } = noGate.profiles as Record<string, unknown>;
    noGate.profiles = rest;
    expect(() => parse(noGate)).toThrow(/^policy: profiles\.gate: expected object/);
    const noVd = shipped();
    const { VD: _vd, ...window } = noVd.profiles!.window as Record<string, unknown>;
    noVd.profiles = { ...noVd.profiles, window };
    expect(() => parse(noVd)).toThrow(/^policy: profiles\.window\.VD: /);
  });

  it('escalates only warn codes, and refuses a bad expires or version', () => {
    expect(() => parse({ ...shipped(), escalate: ['REVOKED'] })).toThrow(/^policy: escalate\.0: not a warn code/);
    expect(() => parse({ ...shipped(), escalate: ['NOPE'] })).toThrow(/escalate\.0/);
    expect(() => parse({ ...shipped(), escalate: 'INSPECTION_OVERDUE' })).toThrow(/escalate: expected array/);
    expect(() => parse({ ...shipped(), expires: 'next year' })).toThrow(/^policy: expires: not an ISO-8601 instant/);
    expect(() => parse({ ...shipped(), version: -1 })).toThrow(/^policy: version/);
    expect(() => parse([])).toThrow(/^policy: \(top level\)/);
  });
});

describe('the configuration may tighten a number, never loosen it', () => {
  const policy = parse(shipped()).policy;
  it('the stricter holds, per number; a laxer one is reported and not applied', () => {
    const p = withLocalNumbers(policy, { 'presentation.windowSec': 60, 'statusList.maxAgeHours': 48, 'boarding.afterDepMin': 10, 'presentation.skewSec': null });
    expect(p.numbers['presentation.windowSec']).toBe(60);
    expect(p.numbers['statusList.maxAgeHours']).toBe(24);
    expect(p.numbers['boarding.afterDepMin']).toBe(10);
    expect(p.numbers['presentation.skewSec']).toBe(30);
    expect(p.tightened).toEqual(['presentation.windowSec']);
    expect(p.laxer).toEqual([{ number: 'statusList.maxAgeHours', configured: 48, policy: 24 }]);
  });
});
