/**
 * `roadscan audit export --proof`: the records with what proves them, as NDJSON a third party can
 * check offline with the device's public key (proof-verify.ts). In order:
 *
 *     {"proof":"roadscan-audit/1","log":..,"device":..,"hashAlg":..,"deviceKey":{..}|null,"since":..}
 *     {"checkpoint":{..}}            every stored checkpoint bearing on the records, by seq
 *     {"seq":..,..,"prev":..,"salt":..}   the records, oldest first, a contiguous run of the chain
 *     {"checkpoint":{"kind":"export",..}} signed now over the head, answering the challenge
 *
 * With `--since` the run starts at the first record at or after that instant and goes on to the
 * head (a later record with an earlier clock is not left out: the chain has no holes).
 * @module
 */
import type { AuditLog } from './audit-log.js';
import type { DeviceKeyInfo } from './device-key.js';

export const PROOF_FORMAT = 'roadscan-audit/1';

export interface ProofHeader {
  proof: typeof PROOF_FORMAT;
  log: string;
  device: string;
  hashAlg: string;
  deviceKey: DeviceKeyInfo | null;
  /** The first record's instant asked for (ISO), or null for all. */
  since: string | null;
}

/** The lines of a proof export (without newlines), read lazily. */
export function* proofLines(log: AuditLog, device: string, sinceSec: number | null, deviceKey: DeviceKeyInfo | null, challenge: string | null): IterableIterator<string> {
  const header: ProofHeader = {
    proof: PROOF_FORMAT,
    log: log.logId,
    device,
    hashAlg: log.hashAlg,
    deviceKey,
    since: sinceSec === null ? null : new Date(sinceSec * 1000).toISOString(),
  };
  yield JSON.stringify(header);
  // One read transaction: the records, the checkpoints and the head the closing one covers are
  // one snapshot, while the service goes on writing.
  const db = log.database;
  db.exec('BEGIN');
  try {
    const first = log.firstSeqSince(sinceSec ?? Number.MIN_SAFE_INTEGER);
    for (const c of log.checkpoints(first === null ? Number.MAX_SAFE_INTEGER : first - 1)) yield JSON.stringify({ checkpoint: c });
    if (first !== null) for (const r of log.exportFromSeq(first)) yield JSON.stringify(r);
    yield JSON.stringify({ checkpoint: log.exportCheckpoint(challenge) });
  } finally {
    if (db.inTransaction) db.exec('COMMIT');
  }
}
