/**
 * Reason codes and verdicts of docs/CREDENTIALS.md section 6.
 *
 * The order of `REASON_CODES` is the order of importance: a verdict lists its reasons in this
 * order, so the operator reads the gravest one first.
 * @module
 */

export const REASON_CODES = [
  'MALFORMED',
  'UNKNOWN_ISSUER',
  'ISSUER_NOT_AUTHORIZED',
  'BAD_SIGNATURE',
  'BAD_HOLDER_SIGNATURE',
  'NOT_YET_VALID',
  'EXPIRED',
  'STALE_PRESENTATION',
  'PRESENTATION_REQUIRED',
  'AUTHORIZATION_TOO_LONG',
  'REVOKED',
  'SUSPENDED',
  'OVERDUE_MEDICAL',
  'OVERDUE_REVIEW',
  'ANNOUNCED_INVALID',
  'AUTHORIZATION_CANCELLED',
  'TICKET_REFUNDED',
  'TICKET_USED',
  'NOT_ACCEPTED_IN_REGION',
  'NOT_APPLICABLE',
  'WRONG_STATION',
  'OUTSIDE_BOARDING_WINDOW',
  'ALREADY_BOARDED',
  'VOUCHER_ISSUED',
  'VOUCHER_PERIOD_ENDED',
  'INSPECTION_OVERDUE',
  'PAPER_REQUIRED',
  'CHECK_ID',
  'CALENDAR_UNKNOWN',
  'STATION_OFFLINE',
  'STATUS_LIST_STALE',
  'TRUST_STALE',
  'CLOCK_UNRELIABLE',
] as const;

export type ReasonCode = (typeof REASON_CODES)[number];
export type Verdict = 'accept' | 'warn' | 'reject';

const WARN_CODES: ReadonlySet<ReasonCode> = new Set<ReasonCode>([
  'INSPECTION_OVERDUE',
  'PAPER_REQUIRED',
  'CHECK_ID',
  'CALENDAR_UNKNOWN',
  'STATION_OFFLINE',
  'STATUS_LIST_STALE',
  'TRUST_STALE',
  'CLOCK_UNRELIABLE',
]);

const RANK: ReadonlyMap<ReasonCode, number> = new Map(REASON_CODES.map((c, i) => [c, i]));

export function isWarnCode(code: ReasonCode): boolean {
  return WARN_CODES.has(code);
}

/** Deduplicates and sorts reasons, gravest first. */
export function orderReasons(reasons: Iterable<ReasonCode>): ReasonCode[] {
  return [...new Set(reasons)].sort((a, b) => RANK.get(a)! - RANK.get(b)!);
}

/** A reject always wins over a warn; no reason at all is an accept. */
export function verdictOf(reasons: readonly ReasonCode[]): Verdict {
  let verdict: Verdict = 'accept';
  for (const r of reasons) {
    if (!WARN_CODES.has(r)) return 'reject';
    verdict = 'warn';
  }
  return verdict;
}

/** Plain-language text for each code, for screens and the terminal demo. */
export const REASON_TEXT: Readonly<Record<ReasonCode, { en: string; zh: string }>> = {
  MALFORMED: { en: 'Not a readable credential code', zh: '无法识别的证件码' },
  UNKNOWN_ISSUER: { en: 'Issuer not in the trust list', zh: '签发机关不在信任列表中' },
  ISSUER_NOT_AUTHORIZED: { en: 'Issuer not authorised for this credential', zh: '签发机关无权签发此证件' },
  BAD_SIGNATURE: { en: 'Issuer signature is invalid (forged or altered)', zh: '签发机关签名无效（伪造或篡改）' },
  BAD_HOLDER_SIGNATURE: { en: 'Live code signature is invalid', zh: '动态码签名无效' },
  NOT_YET_VALID: { en: 'Not yet valid', zh: '尚未生效' },
  EXPIRED: { en: 'Expired', zh: '已过期' },
  STALE_PRESENTATION: { en: 'Live code is stale: a screenshot or an old code', zh: '动态码已失效（截图或旧码）' },
  PRESENTATION_REQUIRED: { en: 'Copied code: ask for the live code in the app', zh: '复制的码：请出示App中的动态码' },
  AUTHORIZATION_TOO_LONG: { en: 'Validity exceeds 7 working days', zh: '有效期超过7个工作日' },
  REVOKED: { en: 'Revoked', zh: '已吊销' },
  SUSPENDED: { en: 'Suspended', zh: '已暂扣' },
  OVERDUE_MEDICAL: { en: 'Medical examination overdue', zh: '逾期未提交体检证明' },
  OVERDUE_REVIEW: { en: 'Review overdue', zh: '逾期未审验' },
  ANNOUNCED_INVALID: { en: 'Announced invalid', zh: '已公告作废' },
  AUTHORIZATION_CANCELLED: { en: 'Authorisation cancelled by the owner', zh: '授权已被所有人解除' },
  TICKET_REFUNDED: { en: 'Ticket refunded or changed', zh: '车票已退票或改签' },
  TICKET_USED: { en: 'Ticket already used', zh: '车票已使用' },
  NOT_ACCEPTED_IN_REGION: { en: 'Not yet accepted in this region', zh: '本地区尚未启用此电子证件' },
  NOT_APPLICABLE: { en: 'Not valid for this check', zh: '不适用于本场景' },
  WRONG_STATION: { en: 'Ticket is for another station', zh: '非本站车票' },
  OUTSIDE_BOARDING_WINDOW: { en: 'Outside the boarding window', zh: '不在检票时段内' },
  ALREADY_BOARDED: { en: 'Ticket has already boarded', zh: '该票已检票' },
  VOUCHER_ISSUED: { en: 'Already exchanged for a paper voucher', zh: '该票已换取纸质凭证' },
  VOUCHER_PERIOD_ENDED: { en: 'Too late to exchange this ticket for a voucher', zh: '已超过换取报销凭证的期限' },
  INSPECTION_OVERDUE: { en: 'Annual inspection overdue', zh: '年检已过期' },
  PAPER_REQUIRED: { en: 'Paper registration must be in the vehicle', zh: '纸质行驶证须随车携带' },
  CHECK_ID: { en: "Check the passenger's ID document", zh: '请人工核验乘客身份证件' },
  CALENDAR_UNKNOWN: { en: 'Working days not settled (no holiday schedule): check the dates by hand', zh: '节假日安排未公布：请人工核对工作日' },
  STATION_OFFLINE: { en: "Station record unreachable: only this device's record checked", zh: '车站记录不可达，仅核对本机记录' },
  STATUS_LIST_STALE: { en: 'Status list out of date: revocations may be missing', zh: '状态列表已过期，可能缺少吊销信息' },
  TRUST_STALE: { en: 'Trust list or rules out of date: a newer version may be missing', zh: '信任列表或规则已过期，可能缺少更新' },
  CLOCK_UNRELIABLE: { en: 'Device clock unreliable', zh: '设备时钟不可靠' },
};
