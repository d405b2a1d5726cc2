import { describe, expect, it } from 'vitest';
import type { Credential } from '../../../firmware-ts/codec/claims.js';
import { ALL_SCREEN_TEXT, fieldLabel } from '../../../firmware-ts/screen/screen-text.js';
import { MAX_FIELDS, buildScanView, buildStatusView, cstParts, formatAge, historyEntryOf, type ScreenStatus } from '../../../firmware-ts/screen/screen-view.js';
import { displayFields } from '../../../firmware-ts/verdict/display-fields.js';
import { REASON_CODES, REASON_TEXT } from '../../../firmware-ts/core/reasons.js';

const AT = Date.UTC(2026, 10, 20, 2, 0, 3) / 1000; // 2026-11-20 10:00:03 CST

const dl = {
  verdict: 'accept' as const,
  reasons: [],
  type: 'DL' as const,
  fields: {
    issuer: 'CN-MPS-110000',
    licenceNo: '110***********1234',
    name: '张*明',
    classes: 'C1,D',
    validity: '2021-06-01..2027-06-01',
    idNumber: '110***********1234',
    firstIssued: '2015-03-02',
  },
};

const okStatus: ScreenStatus = {
  scanner: 'open',
  listAgeSec: 3600,
  listStale: false,
  clock: 'ok',
  profile: 'gate',
  region: '110105',
  station: 'S110105001',
  pendingUploads: 2,
};

describe('buildScanView', () => {
  it('shows the fields that matter for the type, in comparison order, with labels in the screen language', () => {
    const zh = buildScanView(dl, { atSec: AT, profile: 'roadside' }, 7, 'zh');
    expect(zh.fields.map((f) => f.key)).toEqual(['name', 'idNumber', 'classes', 'validity', 'licenceNo']);
    expect(zh.fields.map((f) => f.label)).toEqual(['姓名', '身份证号', '准驾车型', '有效期', '驾驶证号']);
    expect(zh.fields.find((f) => f.key === 'validity')?.value).toBe('2021-06-01 – 2027-06-01');
    expect(zh).toMatchObject({ seq: 7, verdict: 'accept', word: '通过', typeName: '电子驾驶证', time: '10:00:03', date: '2026-11-20' });
    const en = buildScanView(dl, { atSec: AT, profile: 'roadside' }, 7, 'en');
    expect(en.word).toBe('ACCEPT');
    expect(en.typeName).toBe('Driving licence');
    expect(en.fields[0]).toEqual({ key: 'name', label: 'Name', value: '张*明', flag: null });
  });

  it('words reasons from REASON_TEXT, keeps their order and tells warn from reject', () => {
    const v = buildScanView(
      { verdict: 'reject', reasons: ['EXPIRED', 'INSPECTION_OVERDUE'], type: 'VR', fields: { inspectionUntil: '2026-10-31', plate: '京A·D1234' } },
      { atSec: AT, profile: 'roadside' },
      1,
      'en',
    );
    expect(v.reasons).toEqual([
      { code: 'EXPIRED', text: REASON_TEXT.EXPIRED.en, level: 'reject' },
      { code: 'INSPECTION_OVERDUE', text: REASON_TEXT.INSPECTION_OVERDUE.en, level: 'warn' },
    ]);
    expect(v.fields).toEqual([
      { key: 'plate', label: 'Plate', value: '京A·D1234', flag: null },
      { key: 'inspectionUntil', label: 'Inspection until', value: '2026-10-31', flag: 'warn' },
    ]);
  });

  it('flags a field with the gravest reason about it', () => {
    const v = buildScanView(
      { verdict: 'reject', reasons: ['OUTSIDE_BOARDING_WINDOW', 'CHECK_ID'], type: 'TK', fields: { departure: '2026-11-20 13:30', name: '王*', seat: '07' } },
      { atSec: AT, profile: 'gate' },
      1,
      'zh',
    );
    expect(Object.fromEntries(v.fields.map((f) => [f.key, f.flag]))).toEqual({ name: 'warn', departure: 'reject', seat: null });
  });

  it('shows unknown field keys under their own name, and drops keys that are not plain identifiers', () => {
    const v = buildScanView(
      {
        verdict: 'accept',
        reasons: [],
        type: 'DL',
        fields: { name: '张*明', nickname: '<img src=x onerror=alert(1)>', '<b>': 'x', __proto__x: 'y', 'a b': 'z', issuer: 'CN' } as Record<string, string>,
      },
      { atSec: AT, profile: 'roadside' },
      1,
      'zh',
    );
    expect(v.fields).toEqual([
      { key: 'name', label: '姓名', value: '张*明', flag: null },
      { key: 'nickname', label: 'nickname', value: '<img src=x onerror=alert(1)>', flag: null },
    ]);
  });

  it('strips control and bidi characters, bounds values and the number of fields', () => {
    const fields: Record<string, string> = { name: 'A\u0000B\u001b[31mC\u202eD\u2028E', idNumber: 'x'.repeat(500) };
    for (let i = 0; i < 40; i++) fields[`extra${i}`] = `v${i}`;
    const v = buildScanView({ verdict: 'accept', reasons: [], type: 'DL', fields }, { atSec: AT, profile: 'roadside' }, 1, 'en');
    expect(v.fields[0]?.value).toBe('AB[31mCDE');
    expect(Array.from(v.fields[1]!.value).length).toBeLessThanOrEqual(48);
    expect(v.fields).toHaveLength(MAX_FIELDS);
  });

  it('never shows a pass for a result it cannot read', () => {
    const hostile = { verdict: 'ok', reasons: ['NOT_A_CODE\u0007', 42, null], type: 'X\u0000Y', fields: null } as unknown as Parameters<typeof buildScanView>[0];
    const v = buildScanView(hostile, { atSec: Number.NaN, profile: 'roadside' }, 3, 'en');
    expect(v.verdict).toBe('reject');
    expect(v.word).toBe('REJECT');
    expect(v.reasons).toEqual([{ code: 'NOT_A_CODE', text: 'NOT_A_CODE', level: 'reject' }]);
    expect(v.type).toBe('XY');
    expect(v.typeName).toBe('XY');
    expect(v.fields).toEqual([]);
    expect(v.time).toMatch(/^\d\d:\d\d:\d\d$/);
  });

  it('names an unreadable code', () => {
    const v = buildScanView({ verdict: 'reject', reasons: ['MALFORMED'], type: null, fields: {} }, { atSec: AT, profile: 'roadside' }, 1, 'zh');
    expect(v.typeName).toBe('无法识别');
    expect(v.reasons[0]?.text).toBe(REASON_TEXT.MALFORMED.zh);
  });

  it('keeps no credential field in the history entry', () => {
    const v = buildScanView(dl, { atSec: AT, profile: 'roadside' }, 9, 'zh');
    const h = historyEntryOf(v);
    expect(h).toEqual({ seq: 9, verdict: 'accept', word: '通过', typeName: '电子驾驶证', time: '10:00:03' });
    expect(JSON.stringify(h)).not.toContain('张');
  });
});

describe('buildStatusView', () => {
  it('marks a healthy appliance ok and lists profile, region and station as facts', () => {
    const v = buildStatusView(okStatus, 'zh');
    expect(v.alert).toBe(false);
    expect(v.items.map((i) => [i.key, i.level, i.value])).toEqual([
      ['scanner', 'ok', '已连接'],
      ['list', 'ok', '60分钟前'],
      ['clock', 'ok', '正常'],
      ['uploads', 'info', '2'],
      ['profile', 'info', '检票口'],
      ['region', 'info', '110105'],
      ['station', 'info', 'S110105001'],
    ]);
  });

  it('raises an unplugged scanner, a stale or never-synced list and an unreliable clock', () => {
    const v = buildStatusView({ ...okStatus, scanner: 'closed', listStale: true, listAgeSec: 26 * 3600, clock: 'unreliable', station: null }, 'en');
    expect(v.alert).toBe(true);
    const byKey = Object.fromEntries(v.items.map((i) => [i.key, i]));
    expect(byKey.scanner).toMatchObject({ level: 'bad', value: 'not connected' });
    expect(byKey.list).toMatchObject({ level: 'warn', value: 'out of date · 26 h ago' });
    expect(byKey.clock).toMatchObject({ level: 'warn', value: 'unreliable' });
    expect(byKey.station).toBeUndefined();
    expect(buildStatusView({ ...okStatus, listAgeSec: null }, 'en').items[1]).toMatchObject({ level: 'warn', value: 'never synced' });
    expect(buildStatusView({ ...okStatus, scanner: 'error' }, 'zh').items[0]).toMatchObject({ level: 'bad', value: '未连接' });
  });
});

describe('formatting', () => {
  it('writes ages in the largest sensible unit', () => {
    expect([5, 119, 120, 7199, 7200, 172799, 172800].map((s) => formatAge(s, 'en'))).toEqual([
      '5 s ago',
      '119 s ago',
      '2 min ago',
      '119 min ago',
      '2 h ago',
      '47 h ago',
      '2 d ago',
    ]);
    expect(formatAge(-30, 'zh')).toBe('0秒前');
  });

  it('shows instants in China Standard Time', () => {
    expect(cstParts(Date.UTC(2026, 0, 1, 16, 30, 0) / 1000)).toEqual({ date: '2026-01-02', time: '00:30:00' });
  });
});

describe('screen text', () => {
  it('has every text in both languages', () => {
    for (const table of Object.values(ALL_SCREEN_TEXT)) {
      for (const [key, t] of Object.entries(table as Record<string, { zh: string; en: string }>)) {
        expect(t.zh, key).toMatch(/\S/);
        expect(t.en, key).toMatch(/\S/);
      }
    }
    for (const code of REASON_CODES) expect(REASON_TEXT[code].zh && REASON_TEXT[code].en).toBeTruthy();
  });

  it('has a label for every field the scan checker produces', () => {
    const base = { iss: 'CN-MPS-110000', exp: AT + 180, nbf: AT - 60, iat: AT - 60, cti: new Uint8Array(16), holderKey: null };
    const vehicle = { pl: '京A', pc: '蓝', vt: '轿车', own: '李华', ot: 'P', vin: '123456', reg: '2019-01-01', ivu: '2027-01-01' };
    const credentials: Credential[] = [
      {
        ...base,
        typ: 'DL',
        dat: { nam: '张明', idm: '110101199001011234', lno: '110101199001011234', cls: ['C1'], fid: '2015-01-01', vfr: '2021-01-01', vto: '2027-01-01', off: 'x' },
      },
      { ...base, typ: 'VR', dat: vehicle },
      { ...base, typ: 'VA', dat: { ref: new Uint8Array(16), pl: '京A', gnm: '王五', gid: '110101199001011234', pur: 'x' } },
      { ...base, typ: 'VD', dat: { ...vehicle, usr: '赵六', pur: 'x' } },
      { ...base, typ: 'TK', dat: { tid: 'T1', nam: '王五', idm: '1301', frm: 'S1', to: '天津', dep: AT, bus: 'K1', seat: '7' } },
    ];
    for (const c of credentials) {
      for (const key of Object.keys(displayFields(c))) expect(fieldLabel(key, 'zh'), `${c.typ}.${key}`).not.toBeNull();
    }
  });
});
