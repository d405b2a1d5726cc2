/**
 * One audit record as it leaves the device: one NDJSON line of `roadscan audit export`, and one
 * element of an upload batch. The same shape for both, so a collector and an export can be
 * compared line by line. A chained record also carries the hash of the one before it and its salt
 * (chain-codec.ts), so whoever holds the records can check the chain.
 * @module
 */
import type { ReasonCode, Verdict } from '../core/reasons.js';

export interface AuditRecord {
  /** Sequence number in this device's log; never reused. */
  seq: number;
  /** The instant the checks used, ISO 8601 UTC. */
  at: string;
  device: string;
  operator: string;
  profile: string;
  region: string;
  station: string | null;
  verdict: Verdict;
  reasons: ReasonCode[];
  type: string | null;
  /** Hex status-list entry key of the credential, or null when undecodable. */
  statusKey: string | null;
  /** False when the clock floor flagged the clock. */
  clockReliable: boolean;
  /** Check latency, milliseconds. */
  ms: number;
  /** The scan's id; absent on records made before scan ids (issue 16). */
  scanId?: string;
  /** Present on the record of an operator's decision on the scan `scanId`. */
  action?: { action: string; source: string; result: string };
  /** The chain hash of the record before it (hex); absent on records written before the chain. */
  prev?: string;
  /** The record's random salt (hex), hashed with it; absent on records written before the chain. */
  salt?: string;
}

/** A row of the `audit_log` table. */
export interface AuditRow {
  seq: number;
  at_sec: number;
  device_id: string;
  operator: string;
  profile: string;
  region: string;
  station: string | null;
  verdict: Verdict;
  reasons: string;
  type: string | null;
  status_key: string | null;
  clock_reliable: number;
  ms: number;
  scan_id?: string | null;
  action?: string | null;
  action_source?: string | null;
  action_result?: string | null;
  prev?: Buffer | null;
  salt?: Buffer | null;
}

export function auditRecordOf(row: AuditRow): AuditRecord {
  const record: AuditRecord = {
    seq: row.seq,
    at: isoOf(row.at_sec),
    device: row.device_id,
    operator: row.operator,
    profile: row.profile,
    region: row.region,
    station: row.station,
    verdict: row.verdict,
    reasons: row.reasons === '' ? [] : (row.reasons.split(' ') as ReasonCode[]),
    type: row.type,
    statusKey: row.status_key,
    clockReliable: row.clock_reliable === 1,
    ms: row.ms,
  };
  if (row.scan_id) record.scanId = row.scan_id;
  if (row.action) record.action = { action: row.action, source: row.action_source ?? '', result: row.action_result ?? '' };
  if (row.prev && row.salt) {
    record.prev = row.prev.toString('hex');
    record.salt = row.salt.toString('hex');
  }
  return record;
}

/** A row's hashed fields, in the order of `auditRowValues` (chain-codec.ts). */
export function chainValuesOfRow(row: AuditRow): unknown[] {
  return [
    row.at_sec,
    row.device_id,
    row.operator,
    row.profile,
    row.region,
    row.station,
    row.verdict,
    row.reasons,
    row.type,
    row.status_key,
    row.clock_reliable,
    row.ms,
    row.scan_id ?? null,
    row.action ?? null,
    row.action_source ?? null,
    row.action_result ?? null,
  ];
}

/** The same fields read back from a record as exported or uploaded (what a verifier has). */
export function chainValuesOfRecord(r: AuditRecord): unknown[] {
  return [
    Math.floor(Date.parse(r.at) / 1000),
    r.device,
    r.operator,
    r.profile,
    r.region,
    r.station,
    r.verdict,
    Array.isArray(r.reasons) ? r.reasons.join(' ') : r.reasons,
    r.type,
    r.statusKey,
    r.clockReliable ? 1 : 0,
    r.ms,
    r.scanId ?? null,
    r.action?.action ?? null,
    r.action?.source ?? null,
    r.action?.result ?? null,
  ];
}

/** ISO 8601 of an instant in seconds; instants outside what Date can show are clamped. */
function isoOf(sec: number): string {
  const ms = Math.max(-8.64e15, Math.min(8.64e15, sec * 1000));
  return new Date(ms).toISOString();
}
