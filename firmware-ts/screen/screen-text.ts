/**
 * Every word the operator screen shows, in Chinese and English.
 *
 * The texts live on the service side, not in the page script, so that reason texts come from the
 * one table the terminal demo also uses (`REASON_TEXT`) and a test can check that every label
 * exists in both languages. The page receives the table of its language when it connects.
 * @module
 */
import { REASON_TEXT, type ReasonCode } from '../core/reasons.js';
import { LONG_TERM } from '../verdict/display-fields.js';
import { plateColourWords, vehicleTypeWords } from '../verdict/vehicle-codes.js';

export type ScreenLang = 'zh' | 'en';

/** One text in both languages. */
export interface Bilingual {
  zh: string;
  en: string;
}

/** Credential types the screen knows a name and a field order for. */
export const CREDENTIAL_TYPES = ['DL', 'VR', 'VA', 'VD', 'TK'] as const;
export type CredentialType = (typeof CREDENTIAL_TYPES)[number];

const TYPE_NAMES: Record<CredentialType, Bilingual> = {
  DL: { zh: '电子驾驶证', en: 'Driving licence' },
  VR: { zh: '电子行驶证', en: 'Vehicle registration' },
  VA: { zh: '授权行驶证', en: 'Authorised registration' },
  VD: { zh: '下载的行驶证', en: 'Downloaded registration' },
  TK: { zh: '电子客票', en: 'Bus e-ticket' },
};

/**
 * Labels of the masked fields, keyed as `displayFields` (firmware-ts/verdict/display-fields.ts)
 * names them. A key missing here is shown under its own name: the page never hides a field only
 * because it does not know it.
 */
const FIELD_LABELS: Record<string, Bilingual> = {
  name: { zh: '姓名', en: 'Name' },
  idNumber: { zh: '身份证号', en: 'ID number' },
  licenceNo: { zh: '驾驶证号', en: 'Licence no.' },
  classes: { zh: '准驾车型', en: 'Classes' },
  firstIssued: { zh: '初次领证', en: 'First issued' },
  validity: { zh: '有效期', en: 'Valid' },
  validUntil: { zh: '码有效至', en: 'Code valid to' },
  office: { zh: '发证机关', en: 'Issued by' },
  issuer: { zh: '签发方', en: 'Issuer' },
  plate: { zh: '号牌号码', en: 'Plate' },
  plateColour: { zh: '号牌颜色', en: 'Plate colour' },
  vehicleType: { zh: '车辆类型', en: 'Vehicle type' },
  owner: { zh: '所有人', en: 'Owner' },
  ownerKind: { zh: '所有人类型', en: 'Owner kind' },
  vin: { zh: '车架号后6位', en: 'VIN (last 6)' },
  registered: { zh: '注册日期', en: 'Registered' },
  inspectionUntil: { zh: '检验有效期至', en: 'Inspection until' },
  grantee: { zh: '被授权人', en: 'Authorised person' },
  granteeId: { zh: '被授权人证件', en: 'Authorised ID' },
  purpose: { zh: '用途', en: 'Purpose' },
  user: { zh: '使用人', en: 'User' },
  ticket: { zh: '票号', en: 'Ticket no.' },
  from: { zh: '发车站', en: 'From' },
  fromName: { zh: '本站', en: 'This station' },
  to: { zh: '到达站', en: 'To' },
  departure: { zh: '发车时间', en: 'Departure' },
  bus: { zh: '班次', en: 'Schedule' },
  seat: { zh: '座位', en: 'Seat' },
};

/** Field values that are words of the scan result rather than text from the credential. */
const FIELD_VALUES: Record<string, Record<string, Bilingual>> = {
  ownerKind: { person: { zh: '个人', en: 'Person' }, organisation: { zh: '单位', en: 'Organisation' } },
  validity: { [LONG_TERM]: { zh: '长期', en: 'long-term' } },
};

/**
 * The fields that matter for each type, in the order the operator compares them with the person or
 * vehicle in front of them. Known fields left out here (issuer, first issue date...) stay off the
 * small screen; fields the screen has no label for follow at the end.
 */
const TYPE_FIELD_ORDER: Record<CredentialType, readonly string[]> = {
  DL: ['name', 'idNumber', 'classes', 'validity', 'licenceNo'],
  VR: ['plate', 'plateColour', 'vehicleType', 'owner', 'ownerKind', 'vin', 'inspectionUntil'],
  VA: ['plate', 'grantee', 'granteeId', 'purpose', 'validity'],
  VD: ['plate', 'plateColour', 'vehicleType', 'owner', 'ownerKind', 'user', 'purpose', 'validity', 'inspectionUntil'],
  TK: ['name', 'idNumber', 'departure', 'seat', 'bus', 'from', 'fromName', 'to', 'ticket'],
};

const VERDICT_WORDS: Record<'accept' | 'warn' | 'reject', Bilingual> = {
  accept: { zh: '通过', en: 'ACCEPT' },
  warn: { zh: '注意', en: 'CHECK' },
  reject: { zh: '拒绝', en: 'REJECT' },
};

const UI = {
  idle: { zh: '请扫码', en: 'Ready to scan' },
  idleHint: { zh: '将二维码对准扫码窗口', en: 'Hold the QR code to the scanner window' },
  cleared: { zh: '个人信息已清除', en: 'Personal details cleared' },
  clear: { zh: '清除', en: 'Clear' },
  noReasons: { zh: '全部检查通过', en: 'All checks passed' },
  history: { zh: '最近扫码', en: 'Recent scans' },
  historyEmpty: { zh: '暂无记录', en: 'No scans yet' },
  unknownType: { zh: '无法识别', en: 'Unreadable' },
  scanner: { zh: '扫码器', en: 'Scanner' },
  scannerOpen: { zh: '已连接', en: 'connected' },
  scannerClosed: { zh: '未连接', en: 'not connected' },
  list: { zh: '状态列表', en: 'Status list' },
  listNever: { zh: '从未同步', en: 'never synced' },
  reasonListNever: { zh: '状态列表从未同步，可能缺少吊销信息', en: 'Status list never synced: revocations may be missing' },
  scannerLost: { zh: '扫码器离线', en: 'NO SCANNER' },
  scannerLostHint: {
    zh: '扫码器未连接，无法扫码。请检查连接线，恢复后自动重连',
    en: 'The scanner is not connected: no code can be read. Check its cable; it reconnects by itself',
  },
  listStale: { zh: '已过期', en: 'out of date' },
  clock: { zh: '时钟', en: 'Clock' },
  clockOk: { zh: '正常', en: 'OK' },
  clockUnreliable: { zh: '不可靠', en: 'unreliable' },
  profile: { zh: '场景', en: 'Mode' },
  region: { zh: '地区', en: 'Region' },
  station: { zh: '车站', en: 'Station' },
  uploads: { zh: '待上传', en: 'To upload' },
  shared: { zh: '站内联网', en: 'Station link' },
  sharedOnline: { zh: '已连接', en: 'online' },
  sharedOffline: { zh: '离线（本机记录）', en: 'offline (own record)' },
  sharedQueued: { zh: '待交接 {n}', en: '{n} to hand over' },
  sharedQueueFull: { zh: '交接队列已满', en: 'handover queue full' },
  sharedAlone: { zh: '本站暂由本机单独判定', en: 'station deciding alone' },
  sharedBucketFault: { zh: '站内存储设置不符（本机记录）', en: 'station store misconfigured (own record)' },
  sharedConflicts: { zh: '重复放行 {n}', en: '{n} boarded twice' },
  records: { zh: '记录', en: 'Records' },
  recordsFailing: { zh: '未能保存', en: 'Not being saved' },
  trust: { zh: '信任列表', en: 'Trust' },
  trustStale: { zh: '已过有效期，请同步', en: 'expired, sync needed' },
  link: { zh: '服务', en: 'Service' },
  linkLost: { zh: '连接中断', en: 'disconnected' },
  serviceStopped: { zh: '服务已停止', en: 'Service stopped' },
  reconnecting: { zh: '正在重新连接，请勿放行', en: 'Reconnecting: let nobody through on this screen' },
  more: { zh: '更多', en: 'more' },
  secondsAgo: { zh: '{n}秒前', en: '{n} s ago' },
  minutesAgo: { zh: '{n}分钟前', en: '{n} min ago' },
  hoursAgo: { zh: '{n}小时前', en: '{n} h ago' },
  daysAgo: { zh: '{n}天前', en: '{n} d ago' },
  roadside: { zh: '路面执法', en: 'Roadside' },
  window: { zh: '业务窗口', en: 'Window' },
  gate: { zh: '检票口', en: 'Gate' },
} satisfies Record<string, Bilingual>;

export type UiKey = keyof typeof UI;

/** The texts of the page itself (idle state, headings, link state), sent when it connects. */
export interface ScreenText {
  lang: ScreenLang;
  ui: Record<string, string>;
}

export function screenText(lang: ScreenLang): ScreenText {
  return { lang, ui: Object.fromEntries(Object.entries(UI).map(([k, v]) => [k, v[lang]])) };
}

/** A text of the page (status strip words, templates such as `{n} s ago`). */
export function uiText(key: UiKey, lang: ScreenLang): string {
  return UI[key][lang];
}

export function verdictWord(verdict: 'accept' | 'warn' | 'reject', lang: ScreenLang): string {
  return VERDICT_WORDS[verdict][lang];
}

/** The name of a credential type; an unknown type keeps its own (already display-safe) code. */
export function typeName(type: string | null, lang: ScreenLang): string {
  if (type === null) return UI.unknownType[lang];
  return Object.hasOwn(TYPE_NAMES, type) ? TYPE_NAMES[type as CredentialType][lang] : type;
}

/** Plain words for a reason code in the screen language. */
export function reasonText(code: ReasonCode, lang: ScreenLang): string {
  return REASON_TEXT[code][lang];
}

/** The label of a field key, or null when the screen does not know the key. */
export function fieldLabel(key: string, lang: ScreenLang): string | null {
  return Object.hasOwn(FIELD_LABELS, key) ? FIELD_LABELS[key]![lang] : null;
}

function wordFor(key: string, value: string, lang: ScreenLang): string {
  const words = Object.hasOwn(FIELD_VALUES, key) ? FIELD_VALUES[key]! : null;
  return words && Object.hasOwn(words, value) ? words[value]![lang] : value;
}

/**
 * A field value in words: the scan result's own words translated (long-term, owner kind), plate
 * colours and GA 802 vehicle types from their code tables (the code kept beside the words), a
 * validity `from..to` as a range. Anything else unchanged.
 */
export function fieldValueText(key: string, value: string, lang: ScreenLang): string {
  if (key === 'validity') {
    const [from, to] = value.split('..', 2);
    return to === undefined ? value : `${from} – ${wordFor(key, to, lang)}`;
  }
  if (key === 'plateColour') return plateColourWords(value)?.[lang] ?? value;
  if (key === 'vehicleType') {
    const words = vehicleTypeWords(value);
    return words ? `${words[lang]} (${value})` : value;
  }
  return wordFor(key, value, lang);
}

/** The field order for a type (empty for an unknown or missing type). */
export function fieldOrder(type: string | null): readonly string[] {
  return type !== null && Object.hasOwn(TYPE_FIELD_ORDER, type) ? TYPE_FIELD_ORDER[type as CredentialType] : [];
}

/** Every bilingual table, for the test that checks both languages are filled in. */
export const ALL_SCREEN_TEXT = { TYPE_NAMES, FIELD_LABELS, VERDICT_WORDS, UI, ...FIELD_VALUES } as const;
