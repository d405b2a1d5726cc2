/**
 * Turns a scan result and the appliance state into what the page shows, word for word.
 *
 * All wording, ordering, masking checks and length limits happen here, on the service side, so
 * the page script stays a dumb renderer (textContent and data attributes only) and every rule of
 * the display is testable without a browser. Inputs are treated as hostile even though the scan
 * checker already cleaned them: a field that slipped through with control characters, markup or
 * excess length must still come out harmless.
 * @module
 */
import type { ScanResult } from '../scan-path/index.js';
import { displaySafe } from '../verdict/display-text.js';
import { REASON_CODES, isWarnCode, type ReasonCode, type Verdict } from '../core/reasons.js';
import { fieldLabel, fieldOrder, fieldValueText, reasonText, typeName, uiText, verdictWord, type ScreenLang } from './screen-text.js';

/** The part of a scan result the screen uses. */
export type ScreenScan = Pick<ScanResult, 'verdict' | 'reasons' | 'type' | 'fields'>;

/** When and where the scan happened. */
export interface ScanMeta {
  /** Instant of the check, seconds since the epoch (the check time, floor included). */
  atSec: number;
  /** Profile the scan was checked under. */
  profile: string;
  /** No status list was ever synced: STATUS_LIST_STALE then reads "never synced", as the strip does. */
  listNeverSynced?: boolean;
}

export interface ReasonView {
  code: string;
  text: string;
  /** `warn` reasons let the credential through with a caution; `reject` ones do not. */
  level: 'warn' | 'reject';
}

export interface FieldView {
  key: string;
  label: string;
  value: string;
  /**
   * Set when a reason is about this field (expired validity, overdue inspection...): the gravest
   * level among those reasons. The page emphasises the line so the operator knows where to look.
   */
  flag: 'warn' | 'reject' | null;
}

export interface ScanView {
  seq: number;
  verdict: Verdict;
  word: string;
  type: string | null;
  typeName: string;
  reasons: ReasonView[];
  fields: FieldView[];
  /** `HH:MM:SS` in China Standard Time. */
  time: string;
  /** `YYYY-MM-DD` in China Standard Time. */
  date: string;
}

/** A line of the recent-scans list: deliberately no field of the credential. */
export interface HistoryEntry {
  seq: number;
  verdict: Verdict;
  word: string;
  typeName: string;
  time: string;
}

export type StatusLevel = 'ok' | 'info' | 'warn' | 'bad';

export interface StatusItem {
  key: 'scanner' | 'list' | 'records' | 'trust' | 'clock' | 'uploads' | 'profile' | 'region' | 'station' | 'shared';
  label: string;
  value: string;
  level: StatusLevel;
}

/** What the appliance reports about itself for the status strip. */
export interface ScreenStatus {
  scanner: 'open' | 'closed' | 'error';
  /** Age of the last verified status-list manifest, seconds; null when never synced. */
  listAgeSec: number | null;
  listStale: boolean;
  clock: 'ok' | 'unreliable';
  profile: string;
  region: string;
  station: string | null;
  /** Audit records waiting to be uploaded. */
  pendingUploads: number;
  /** 'failing' when scan records cannot be written (a full or failing disk); absent counts as ok. */
  records?: 'ok' | 'failing';
  /** 'stale' when a signed document held (trust list, rules data) is past its expires: scans carry TRUST_STALE; absent counts as ok. */
  trust?: 'ok' | 'stale';
  /** The station's shared once-only store (docs/DESIGN.md); absent when this device works alone. */
  shared?: SharedStoreStatus | null;
}

export interface SharedStoreStatus {
  connected: boolean;
  /** Records decided alone, waiting to be handed over. */
  queued: number;
  /** Tickets found boarded (or swapped) twice. */
  conflicts: number;
  /** The handover queue is full (what is decided alone is kept here only, for now). */
  queueFull?: boolean;
  /** The station's bucket is not as the station configured it: every answer is this device's alone. */
  bucketFault?: boolean;
  /** Linked, but the station does not decide (its bucket's leader lost): this device decides alone. */
  decidingAlone?: boolean;
}

export interface StatusView {
  items: StatusItem[];
  /** True when any item needs the operator's attention. */
  alert: boolean;
}

/** At most this many fields reach the page, whatever the scan result holds. */
export const MAX_FIELDS = 12;
const MAX_VALUE_CHARS = 48;
const FIELD_KEY = /^[A-Za-z][A-Za-z0-9_]{0,31}$/;
const VERDICTS: ReadonlySet<string> = new Set(['accept', 'warn', 'reject']);
const KNOWN_REASONS: ReadonlySet<string> = new Set(REASON_CODES);

/** Fields a reason points at, so the operator sees which line to look at. */
const REASON_FIELDS: Partial<Record<ReasonCode, readonly string[]>> = {
  EXPIRED: ['validity', 'validUntil'],
  NOT_YET_VALID: ['validity', 'validUntil'],
  AUTHORIZATION_TOO_LONG: ['validity'],
  INSPECTION_OVERDUE: ['inspectionUntil'],
  WRONG_STATION: ['from'],
  OUTSIDE_BOARDING_WINDOW: ['departure'],
  CHECK_ID: ['name', 'idNumber'],
};

const CST_OFFSET_MS = 8 * 3600 * 1000;

/** `YYYY-MM-DD` and `HH:MM:SS` of an instant in China Standard Time (no daylight saving). */
export function cstParts(sec: number): { date: string; time: string } {
  const iso = new Date(Math.trunc(sec) * 1000 + CST_OFFSET_MS).toISOString();
  return { date: iso.slice(0, 10), time: iso.slice(11, 19) };
}

/** An instant a JavaScript Date can hold; anything else (NaN, Infinity) shows as now. */
function safeInstant(sec: unknown): number {
  return typeof sec === 'number' && Number.isFinite(sec) && Math.abs(sec) < 8.64e12 ? sec : Date.now() / 1000;
}

function reasonViews(reasons: readonly unknown[], lang: ScreenLang, listNeverSynced: boolean): ReasonView[] {
  const out: ReasonView[] = [];
  for (const r of reasons.slice(0, REASON_CODES.length)) {
    if (typeof r !== 'string') continue;
    if (KNOWN_REASONS.has(r)) {
      const code = r as ReasonCode;
      const text = code === 'STATUS_LIST_STALE' && listNeverSynced ? uiText('reasonListNever', lang) : reasonText(code, lang);
      out.push({ code, text, level: isWarnCode(code) ? 'warn' : 'reject' });
    } else {
      const code = displaySafe(r, 32);
      if (code) out.push({ code, text: code, level: 'reject' });
    }
  }
  return out;
}

function fieldViews(type: string | null, fields: unknown, reasons: ReasonView[], lang: ScreenLang): FieldView[] {
  if (fields === null || typeof fields !== 'object') return [];
  const entries = new Map<string, string>();
  for (const [key, raw] of Object.entries(fields as Record<string, unknown>)) {
    if (!FIELD_KEY.test(key) || (typeof raw !== 'string' && typeof raw !== 'number')) continue;
    const value = displaySafe(String(raw), MAX_VALUE_CHARS);
    if (value) entries.set(key, value);
  }
  const flags = new Map<string, 'warn' | 'reject'>();
  for (const r of reasons) {
    for (const key of REASON_FIELDS[r.code as ReasonCode] ?? []) {
      if (flags.get(key) !== 'reject') flags.set(key, r.level);
    }
  }
  const ordered = [...fieldOrder(type).filter((k) => entries.has(k)), ...[...entries.keys()].filter((k) => fieldLabel(k, lang) === null)];
  return ordered.slice(0, MAX_FIELDS).map((key) => {
    const value = entries.get(key)!;
    return {
      key,
      label: fieldLabel(key, lang) ?? key,
      value: fieldValueText(key, value, lang),
      flag: flags.get(key) ?? null,
    };
  });
}

/** The current scan as the page shows it. An unknown verdict is shown as a reject, never a pass. */
export function buildScanView(result: ScreenScan, meta: ScanMeta, seq: number, lang: ScreenLang): ScanView {
  const verdict: Verdict = VERDICTS.has(result.verdict) ? result.verdict : 'reject';
  const type = typeof result.type === 'string' ? displaySafe(result.type, 8) || null : null;
  const reasons = reasonViews(Array.isArray(result.reasons) ? result.reasons : [], lang, meta.listNeverSynced === true);
  const { date, time } = cstParts(safeInstant(meta.atSec));
  return {
    seq,
    verdict,
    word: verdictWord(verdict, lang),
    type,
    typeName: typeName(type, lang),
    reasons,
    fields: fieldViews(type, result.fields, reasons, lang),
    time,
    date,
  };
}

export function historyEntryOf(view: ScanView): HistoryEntry {
  return { seq: view.seq, verdict: view.verdict, word: view.word, typeName: view.typeName, time: view.time };
}

/** `12 s ago`, `5 min ago`, `26 h ago`, `3 d ago` in the screen language. */
export function formatAge(sec: number, lang: ScreenLang): string {
  const s = Math.max(0, Math.floor(sec));
  const fill = (key: 'secondsAgo' | 'minutesAgo' | 'hoursAgo' | 'daysAgo', n: number): string => uiText(key, lang).replace('{n}', String(n));
  if (s < 120) return fill('secondsAgo', s);
  if (s < 120 * 60) return fill('minutesAgo', Math.floor(s / 60));
  if (s < 48 * 3600) return fill('hoursAgo', Math.floor(s / 3600));
  return fill('daysAgo', Math.floor(s / 86400));
}

function listItem(state: ScreenStatus, lang: ScreenLang): StatusItem {
  const label = uiText('list', lang);
  const age = typeof state.listAgeSec === 'number' && Number.isFinite(state.listAgeSec) ? state.listAgeSec : null;
  if (age === null) return { key: 'list', label, value: uiText('listNever', lang), level: 'warn' };
  const ago = formatAge(age, lang);
  return state.listStale ? { key: 'list', label, value: `${uiText('listStale', lang)} · ${ago}`, level: 'warn' } : { key: 'list', label, value: ago, level: 'ok' };
}

function profileName(profile: string, lang: ScreenLang): string {
  return profile === 'roadside' || profile === 'window' || profile === 'gate' ? uiText(profile, lang) : displaySafe(String(profile), 16);
}

/** The status strip: one item per fact, each with a level the page turns into colour and icon. */
export function buildStatusView(state: ScreenStatus, lang: ScreenLang): StatusView {
  const uploads = Number.isFinite(state.pendingUploads) ? Math.max(0, Math.floor(state.pendingUploads)) : 0;
  const items: StatusItem[] = [
    {
      key: 'scanner',
      label: uiText('scanner', lang),
      // Closed or failing to open are the same to the operator: no scans will come.
      value: uiText(state.scanner === 'open' ? 'scannerOpen' : 'scannerClosed', lang),
      level: state.scanner === 'open' ? 'ok' : 'bad',
    },
    listItem(state, lang),
    ...(state.records === 'failing' ? [{ key: 'records' as const, label: uiText('records', lang), value: uiText('recordsFailing', lang), level: 'bad' as const }] : []),
    ...(state.trust === 'stale' ? [{ key: 'trust' as const, label: uiText('trust', lang), value: uiText('trustStale', lang), level: 'warn' as const }] : []),
    {
      key: 'clock',
      label: uiText('clock', lang),
      value: uiText(state.clock === 'ok' ? 'clockOk' : 'clockUnreliable', lang),
      level: state.clock === 'ok' ? 'ok' : 'warn',
    },
    { key: 'uploads', label: uiText('uploads', lang), value: String(uploads), level: 'info' },
    { key: 'profile', label: uiText('profile', lang), value: profileName(state.profile, lang), level: 'info' },
    { key: 'region', label: uiText('region', lang), value: displaySafe(String(state.region), 16), level: 'info' },
  ];
  if (typeof state.station === 'string' && state.station) {
    items.push({ key: 'station', label: uiText('station', lang), value: displaySafe(state.station, 32), level: 'info' });
  }
  if (state.shared) items.push(sharedItem(state.shared, lang));
  return { items, alert: items.some((i) => i.level === 'warn' || i.level === 'bad') };
}

/** Online and nothing to report is fine; offline asks for a look; a double boarding is bad. */
function sharedItem(shared: SharedStoreStatus, lang: ScreenLang): StatusItem {
  const count = (n: unknown) => (typeof n === 'number' && Number.isFinite(n) ? Math.max(0, Math.floor(n)) : 0);
  const queued = count(shared.queued);
  const conflicts = count(shared.conflicts);
  const alone = shared.connected === true && shared.decidingAlone === true;
  const parts = [uiText(shared.bucketFault === true ? 'sharedBucketFault' : alone ? 'sharedAlone' : shared.connected === true ? 'sharedOnline' : 'sharedOffline', lang)];
  if (queued > 0) parts.push(uiText('sharedQueued', lang).replace('{n}', String(queued)));
  if (shared.queueFull === true) parts.push(uiText('sharedQueueFull', lang));
  if (conflicts > 0) parts.push(uiText('sharedConflicts', lang).replace('{n}', String(conflicts)));
  const bad = conflicts > 0 || shared.queueFull === true || shared.bucketFault === true;
  const level: StatusLevel = bad ? 'bad' : shared.connected === true && !alone ? 'ok' : 'warn';
  return { key: 'shared', label: uiText('shared', lang), value: parts.join(' · '), level };
}
