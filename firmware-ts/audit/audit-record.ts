/**
 * One audit record as it leaves the device: one NDJSON line of `roadscan audit export`, and one
 * element of an upload batch. The same shape for both, so a collector and an export can be
 * compared line by line.
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
  return record;
}

/** ISO 8601 of an instant in seconds; instants outside what Date can show are clamped. */
function isoOf(sec: number): string {
  const ms = Math.max(-8.64e15, Math.min(8.64e15, sec * 1000));
  return new Date(ms).toISOString();
}
