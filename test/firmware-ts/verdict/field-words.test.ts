import { describe, expect, it } from 'vitest';
import { shippedChecker } from '../../../firmware-ts/app/shipped-checker.js';
import { fieldValueText } from '../../../firmware-ts/screen/screen-text.js';
import { PLATE_COLOURS, VEHICLE_TYPES } from '../../../firmware-ts/verdict/vehicle-codes.js';
import { TestAuthority } from '../../../sim/authority/test-authority.js';

const authority = TestAuthority.create();
const NOW = Date.parse('2026-11-20T10:00:00+08:00') / 1000;
const time = { nowSec: NOW, reliable: true };
const fieldsOf = (profile: 'roadside' | 'window', spec: Parameters<TestAuthority['code']>[0]) =>
  shippedChecker({ trust: authority.trustList(), profile }).check(authority.code(spec).text, time).fields;

describe('the words the operator reads (spec 1.1 and the GA code tables)', () => {
  it('a DL valid to 9999-12-31 is long-term: 长期 / long-term', () => {
    const f = fieldsOf('roadside', { type: 'DL', now: NOW, dat: { vfr: '2021-03-02', vto: '9999-12-31' } });
    expect(f.validity).toBe('2021-03-02..long-term');
    expect(fieldValueText('validity', f.validity!, 'zh')).toBe('2021-03-02 – 长期');
    expect(fieldValueText('validity', f.validity!, 'en')).toBe('2021-03-02 – long-term');
    expect(fieldValueText('validity', '2021-03-02..2027-03-02', 'zh')).toBe('2021-03-02 – 2027-03-02');
  });

  it("an organisation owner's name is shown whole, and its kind; a person's is masked", () => {
    const org = fieldsOf('window', { type: 'VR', now: NOW, dat: { own: '北京市某某出租汽车有限公司', ot: 'O' } });
    expect(org).toMatchObject({ owner: '北京市某某出租汽车有限公司', ownerKind: 'organisation' });
    expect(fieldValueText('ownerKind', org.ownerKind!, 'zh')).toBe('单位');
    const person = fieldsOf('window', { type: 'VD', now: NOW, dat: { own: '李四光', ot: 'P' } });
    expect(person).toMatchObject({ owner: '李*光', ownerKind: 'person' });
    expect(fieldValueText('ownerKind', person.ownerKind!, 'en')).toBe('Person');
  });

  it('plate colours and vehicle types in words, in both languages', () => {
    const f = fieldsOf('window', { type: 'VR', now: NOW });
    expect([f.plateColour, f.vehicleType]).toEqual(['blue', 'K33']);
    expect(fieldValueText('plateColour', 'blue', 'zh')).toBe('蓝牌');
    expect(fieldValueText('plateColour', '蓝', 'en')).toBe('Blue plate');
    expect(fieldValueText('plateColour', '渐变绿', 'zh')).toBe('渐变绿牌（小型新能源）');
    expect(fieldValueText('vehicleType', 'K33', 'zh')).toBe('小型轿车 (K33)');
    expect(fieldValueText('vehicleType', 'H11', 'en')).toBe('Heavy ordinary truck (H11)');
    expect(fieldValueText('vehicleType', 'Z99', 'zh')).toBe('Z99');
    expect(fieldValueText('plateColour', 'mauve', 'en')).toBe('mauve');
    for (const table of [PLATE_COLOURS, VEHICLE_TYPES]) for (const w of table.values()) expect(w.zh && w.en).toBeTruthy();
  });

  it('a VA valid to midnight shows its last day, the date of exp - 1', () => {
    const nbf = Date.parse('2026-11-16T09:00:00+08:00') / 1000;
    const f = fieldsOf('window', { type: 'VA', now: NOW, iat: nbf, nbf, exp: Date.parse('2026-11-25T00:00:00+08:00') / 1000 });
    expect(f.validity).toBe('2026-11-16..2026-11-24');
  });
});
