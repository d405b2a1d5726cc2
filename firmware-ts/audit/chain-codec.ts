/**
 * The bytes an audit record's chain hash and a checkpoint's signature are made over, defined once
 * for everyone who makes or checks them: the writer's worker thread (which gets these functions
 * as text, so they import nothing and use only their arguments and `Buffer`), the log itself,
 * `roadscan audit verify` and the collector.
 *
 * Each field is written as a tag byte and, for a value, its UTF-8 length (4 bytes, big endian)
 * and bytes: no two different field lists give the same bytes, whatever the fields hold. Numbers
 * are written as decimal text; the check latency as whole microseconds, so a reader in any
 * language gets the same text. The record's hash covers exactly what the record holds (its
 * fields, its random salt, the previous hash): nothing about anyone that the record itself does
 * not keep, and the salt means a hash left behind by a purge gives no way to guess what the
 * removed record said.
 * @module
 */
import type * as NodeCrypto from 'node:crypto';

/** Field values of a record in the order of `auditRowValues` (audit-log.ts), the ones hashed. */
export type ChainValues = readonly unknown[];

/**
 * The chain hash of one record: H(domain, seq, salt, previous hash, fields), hex. `alg` is a
 * node:crypto hash name ('sha256', or 'sm3' when the device key is SM2).
 */
export function recordDigest(crypto: typeof NodeCrypto, alg: string, prevHex: string, seq: number, saltHex: string, values: ChainValues): string {
  const h = crypto.createHash(alg);
  const put = (v: unknown): void => {
    if (v === null || v === undefined) {
      h.update(Buffer.from([0]));
      return;
    }
    const bytes = Buffer.from(String(v), 'utf8');
    const head = Buffer.alloc(5);
    head[0] = 1;
    head.writeUInt32BE(bytes.length, 1);
    h.update(head);
    h.update(bytes);
  };
  put('roadscan-audit-record/1');
  put(seq);
  put(saltHex);
  put(prevHex);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    put(i === 11 && typeof v === 'number' ? Math.round(v * 1000) : v);
  }
  return h.digest('hex');
}

/** The fields of a checkpoint that its signature covers. */
export interface CheckpointBody {
  log: string;
  device: string;
  /** start, count, time, stop, purge, lost or export. */
  kind: string;
  /** The chain's head it vouches for (for a purge: the last record removed). */
  seq: number;
  /** The chain hash of record `seq` (hex). */
  hash: string;
  /** purge: records removed; start: records older than the chain; lost: records given up. */
  count: number;
  /** purge: the first record removed; otherwise null. */
  fromSeq: number | null;
  /** When the device made it, seconds since the epoch. */
  atSec: number;
  /** Every how many records a `count` checkpoint is due. */
  every: number;
  /** The chain's hash: 'sha256', or 'sm3' (a chain begun with an SM2 device key). */
  hashAlg: string;
  /** export: the verifier's challenge the export answers; otherwise null. */
  challenge: string | null;
  /**
   * The device key's algorithm, 'Ed25519' or 'SM2', signed with the rest; absent or null on a
   * checkpoint signed before it was part of the message (always Ed25519) or not yet signed.
   */
  keyAlg?: string | null;
}

/**
 * The bytes a checkpoint's signature is made over. With `keyAlg` the domain is
 * `roadscan-audit-checkpoint/2` and the algorithm is the last field; without it the message is
 * the one checkpoints were signed with before (`/1`), so their exports still verify.
 */
export function checkpointMessage(c: CheckpointBody): Buffer {
  const parts: Buffer[] = [];
  const put = (v: unknown): void => {
    if (v === null || v === undefined) {
      parts.push(Buffer.from([0]));
      return;
    }
    const bytes = Buffer.from(String(v), 'utf8');
    const head = Buffer.alloc(5);
    head[0] = 1;
    head.writeUInt32BE(bytes.length, 1);
    parts.push(head, bytes);
  };
  const v2 = c.keyAlg !== undefined && c.keyAlg !== null;
  for (const v of [
    v2 ? 'roadscan-audit-checkpoint/2' : 'roadscan-audit-checkpoint/1',
    c.log,
    c.device,
    c.kind,
    c.seq,
    c.hash,
    c.count,
    c.fromSeq,
    c.atSec,
    c.every,
    c.hashAlg,
    c.challenge,
  ]) {
    put(v);
  }
  if (v2) put(c.keyAlg);
  return Buffer.concat(parts);
}

/** The hash the first record of a log follows: bound to the log id, so no chain starts another log's. */
export function genesisHash(crypto: typeof NodeCrypto, alg: string, logId: string): string {
  return crypto.createHash(alg).update(`roadscan-audit-genesis/1\n${logId}`, 'utf8').digest('hex');
}
