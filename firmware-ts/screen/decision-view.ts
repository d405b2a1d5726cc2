/**
 * What the operator screen shows while a decision is pending (docs/DESIGN.md, "Operator
 * actions"), and the one line it shows once the decision is made. The words depend on the kind
 * of decision: at a gate the operator compares the ID and refuses a mismatch; at a window the
 * clerk confirms the paper voucher was handed over.
 * @module
 */
import type { ScreenLang } from './screen-text.js';

export type DecisionKind = 'check-id' | 'voucher';
export type DecisionAction = 'confirm' | 'refuse';

/** A decision the appliance waits for, as the screen is told about it. */
export interface ScreenDecision {
  scanId: string;
  kind: DecisionKind;
}

export interface DecisionView {
  scanId: string;
  kind: DecisionKind;
  prompt: string;
  confirm: string;
  refuse: string;
}

/** What became of a decision, in words; `level` picks the colour and mark of the line. */
export interface DecisionOutcomeView {
  scanId: string;
  text: string;
  level: 'ok' | 'warn' | 'reject';
}

type Words = Record<ScreenLang, string>;

const PROMPTS: Record<DecisionKind, { prompt: Words; confirm: Words; refuse: Words }> = {
  'check-id': {
    prompt: { zh: '核对身份证件：一致请放行，不一致请拒绝', en: 'Compare the ID: let through if it matches, refuse if not' },
    confirm: { zh: '一致 放行', en: 'ID matches' },
    refuse: { zh: '不一致 拒绝', en: 'Refuse' },
  },
  voucher: {
    prompt: { zh: '核对身份证件后换取纸质凭证', en: 'Check the ID, then swap for a paper voucher' },
    confirm: { zh: '确认 已换', en: 'Voucher given' },
    refuse: { zh: '不换', en: 'No swap' },
  },
};

/** Results of an action, keyed as the once-only stage names them. */
const RESULTS: Record<string, { text: Words; level: DecisionOutcomeView['level'] }> = {
  'boarding-kept': { text: { zh: '已检票放行', en: 'Boarded' }, level: 'ok' },
  'boarding-undone': { text: { zh: '已拒绝，检票已撤销', en: 'Refused: boarding undone' }, level: 'warn' },
  'boarding-not-held': { text: { zh: '已拒绝', en: 'Refused' }, level: 'warn' },
  'voucher-recorded': { text: { zh: '换票已记录', en: 'Voucher swap recorded' }, level: 'ok' },
  'voucher-already-issued': { text: { zh: '该票已换取纸质凭证，请勿再发', en: 'Already swapped elsewhere: give nothing' }, level: 'reject' },
  'nothing-recorded': { text: { zh: '未换票', en: 'No swap recorded' }, level: 'warn' },
  'store-fault': { text: { zh: '记录失败，请报告故障', en: 'Could not record: report a fault' }, level: 'reject' },
};

const SCAN_ID = /^[A-Za-z0-9_-]{1,64}$/;

export function decisionView(d: ScreenDecision, lang: ScreenLang): DecisionView | null {
  if (!SCAN_ID.test(d.scanId) || !Object.hasOwn(PROMPTS, d.kind)) return null;
  const w = PROMPTS[d.kind];
  return { scanId: d.scanId, kind: d.kind, prompt: w.prompt[lang], confirm: w.confirm[lang], refuse: w.refuse[lang] };
}

export function decisionOutcomeView(scanId: string, result: string, lang: ScreenLang): DecisionOutcomeView {
  const r = Object.hasOwn(RESULTS, result) ? RESULTS[result]! : RESULTS['store-fault']!;
  return { scanId: SCAN_ID.test(scanId) ? scanId : '', text: r.text[lang], level: r.level };
}

/** Every bilingual text here, for the test that both languages are filled in. */
export const ALL_DECISION_TEXT = { PROMPTS, RESULTS } as const;
