/**
 * Appending to the audit chain and signing its checkpoints, on one database connection. The
 * log (audit-log.ts) and the writer's worker thread (audit-writer.ts) both write records through
 * this, so a record is chained the same way whichever path wrote it.
 *
 * The chain's head (the last sequence number and its hash) is what the database holds: the last
 * chained record (its hash computed from its row) or the last checkpoint, whichever is further
 * (after a purge of every record, the purge checkpoint), read at the start of each transaction
 * that adds records. Nothing else is written per record (a separate head row cost a second page
 * in every commit: `npm run bench`, "audit log"). A commit that fails (disk full, I/O error)
 * leaves the head where it was, so the records retried next get the same sequence numbers and
 * follow the same hash; a record is never skipped in the chain.
 *
 * A `count` checkpoint is signed in the same transaction as every record whose sequence number
 * is a multiple of `every`, so a reader knows exactly which checkpoints must exist.
 *
 * `makeChain` runs inside the worker from its text (see audit-writer.ts): it uses only its
 * arguments, never anything imported.
 * @module
 */
import type * as NodeCrypto from 'node:crypto';
import type { Db } from '../store/database.js';
import type { ChainValues, CheckpointBody } from './chain-codec.js';

/** The algorithms of a device key. */
export type DeviceKeyAlg = 'Ed25519' | 'SM2';

/** The device key as the chain signs with it: PKCS#8 PEM, its id and algorithm. */
export interface SigningKey {
  pem: string;
  /** The first 16 hex digits of the SHA-256 of the public key (SPKI DER). */
  id: string;
  alg: DeviceKeyAlg;
  /** SM2: the private scalar and the public point, hex (read from the PEM by sm2-key-der.ts: node:crypto cannot use it). */
  sm2?: { d: string; point: string };
}

export interface ChainConfig {
  logId: string;
  device: string;
  /** A `count` checkpoint at every multiple of this sequence number. */
  every: number;
  /** Null: checkpoints are kept unsigned until a holder of the key signs them (signPending). */
  key: SigningKey | null;
  /** Signs a checkpoint's message with `key` (checkpoint-signer.ts); null without a key. */
  sign: ((message: Buffer) => Buffer) | null;
}

export interface ChainCodec {
  recordDigest(crypto: typeof NodeCrypto, alg: string, prevHex: string, seq: number, saltHex: string, values: ChainValues): string;
  checkpointMessage(c: CheckpointBody): Buffer;
}

export interface ChainHead {
  seq: number;
  hash: string;
  alg: string;
}

export interface CheckpointExtra {
  count?: number;
  fromSeq?: number | null;
  /** Vouch for this (seq, hash) rather than the head (a purge's last record). */
  at?: { seq: number; hash: string };
  challenge?: string | null;
}

/** A signed (or not yet signed) checkpoint. */
export interface Checkpoint extends CheckpointBody {
  keyId: string | null;
  /** Base64 signature, or null while unsigned. */
  sig: string | null;
}

export interface Chain {
  /** The head as committed. */
  head(): ChainHead;
  /** Opens an append inside the caller's transaction; `close` gives the head it ends on. */
  open(): { append(values: ChainValues): number; close(): ChainHead };
  /** Adds a checkpoint (inside the caller's transaction) and returns it. */
  checkpoint(kind: string, extra?: CheckpointExtra): Checkpoint;
  /** Makes a checkpoint without storing it (an export's closing one). */
  makeCheckpoint(kind: string, extra?: CheckpointExtra): Checkpoint;
  /** Highest sequence number a stored checkpoint (not a purge) vouches for, -1 when none. */
  lastCheckpointSeq(): number;
  /** Signs stored checkpoints that were made without the key; returns how many. */
  signPending(): number;
  /** A stored checkpoint as it is exported and uploaded. */
  checkpointOf(row: CheckpointRow): Checkpoint;
}

export function makeChain(db: Db, crypto: typeof NodeCrypto, codec: ChainCodec, cfg: ChainConfig, nowSec: () => number): Chain {
  const stateStmt = db.prepare('SELECT chain_seq AS seq, chain_hash AS hash, chain_alg AS alg FROM audit_state WHERE id = 1');
  // The last record with the fields it was hashed over, in the order of the values inserted.
  const lastRowStmt = db
    .prepare(`SELECT seq, prev, salt, at_sec, device_id, operator, profile, region, station, verdict, reasons, type,
    status_key, clock_reliable, ms, scan_id, action, action_source, action_result FROM audit_log ORDER BY seq DESC LIMIT 1`)
    .raw();
  const lastCpHeadStmt = db.prepare('SELECT seq, hash FROM audit_checkpoint ORDER BY seq DESC, id DESC LIMIT 1');
  const insert = db.prepare(`INSERT INTO audit_log (seq, at_sec, device_id, operator, profile, region, station, verdict, reasons, type,
    status_key, clock_reliable, ms, scan_id, action, action_source, action_result, prev, salt)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
  const insertCp = db.prepare(`INSERT INTO audit_checkpoint (kind, seq, hash, count, from_seq, at_sec, every, hash_alg, key_alg, key_id, sig)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
  const lastCpStmt = db.prepare("SELECT coalesce(max(seq), -1) FROM audit_checkpoint WHERE kind != 'purge'").pluck();
  const unsignedStmt = db.prepare('SELECT * FROM audit_checkpoint WHERE sig IS NULL ORDER BY id');
  const setSig = db.prepare('UPDATE audit_checkpoint SET key_alg = ?, key_id = ?, sig = ? WHERE id = ?');
  const signing = cfg.key && cfg.sign ? { key: cfg.key, sign: cfg.sign } : null;
  const signOf = (body: CheckpointBody): Buffer | null => (signing ? signing.sign(codec.checkpointMessage(body)) : null);

  const head = (): ChainHead => {
    const state = stateStmt.get() as { seq: number | null; hash: Buffer | null; alg: string | null } | undefined;
    if (!state || state.seq === null || state.hash === null || state.alg === null) throw new Error('audit chain: not started (the log opens it)');
    let h: ChainHead = { seq: state.seq, hash: state.hash.toString('hex'), alg: state.alg };
    const cp = lastCpHeadStmt.get() as { seq: number; hash: Buffer } | undefined;
    if (cp && cp.seq > h.seq) h = { seq: cp.seq, hash: cp.hash.toString('hex'), alg: h.alg };
    const row = lastRowStmt.get() as unknown[] | undefined;
    // A record from before the chain (no prev, salt) is never past the start checkpoint.
    if (row && (row[0] as number) > h.seq && row[1] !== null && row[2] !== null) {
      const seq = row[0] as number;
      h = { seq, hash: codec.recordDigest(crypto, h.alg, (row[1] as Buffer).toString('hex'), seq, (row[2] as Buffer).toString('hex'), row.slice(3)), alg: h.alg };
    }
    return h;
  };
  const bodyOf = (kind: string, h: ChainHead, extra: CheckpointExtra): CheckpointBody => ({
    log: cfg.logId,
    device: cfg.device,
    kind,
    seq: extra.at ? extra.at.seq : h.seq,
    hash: extra.at ? extra.at.hash : h.hash,
    count: extra.count ?? 0,
    fromSeq: extra.fromSeq ?? null,
    atSec: Math.floor(nowSec()),
    every: cfg.every,
    hashAlg: h.alg,
    challenge: extra.challenge ?? null,
    keyAlg: signing ? signing.key.alg : null,
  });
  const store = (body: CheckpointBody): Checkpoint => {
    const sig = signOf(body);
    insertCp.run(
      body.kind,
      body.seq,
      Buffer.from(body.hash, 'hex'),
      body.count,
      body.fromSeq,
      body.atSec,
      body.every,
      body.hashAlg,
      body.keyAlg,
      sig ? signing!.key.id : null,
      sig,
    );
    return { ...body, keyId: sig ? signing!.key.id : null, sig: sig ? sig.toString('base64') : null };
  };
  /** One stored checkpoint as signed, exported and uploaded (log and device are this chain's). */
  const checkpointOf = (r: CheckpointRow): Checkpoint => ({
    log: cfg.logId,
    device: cfg.device,
    kind: r.kind,
    seq: r.seq,
    hash: r.hash.toString('hex'),
    count: r.count,
    fromSeq: r.from_seq,
    atSec: r.at_sec,
    every: r.every,
    hashAlg: r.hash_alg,
    challenge: null,
    keyAlg: r.key_alg,
    keyId: r.key_id,
    sig: r.sig ? r.sig.toString('base64') : null,
  });

  return {
    head,
    open() {
      let h = head();
      return {
        append(values: ChainValues): number {
          const seq = h.seq + 1;
          const salt = crypto.randomBytes(16);
          insert.run(seq, ...values, Buffer.from(h.hash, 'hex'), salt);
          h = { seq, hash: codec.recordDigest(crypto, h.alg, h.hash, seq, salt.toString('hex'), values), alg: h.alg };
          if (cfg.every > 0 && seq % cfg.every === 0) store(bodyOf('count', h, {}));
          return seq;
        },
        close: () => h,
      };
    },
    checkpoint: (kind, extra = {}) => store(bodyOf(kind, head(), extra)),
    makeCheckpoint(kind, extra = {}) {
      const body = bodyOf(kind, head(), extra);
      const sig = signOf(body);
      return { ...body, keyId: sig ? signing!.key.id : null, sig: sig ? sig.toString('base64') : null };
    },
    lastCheckpointSeq: () => lastCpStmt.get() as number,
    signPending(): number {
      if (!signing) return 0;
      const rows = unsignedStmt.all() as CheckpointRow[];
      for (const r of rows) {
        const { keyId: _id, sig: _sig, ...body } = checkpointOf(r);
        body.keyAlg = signing.key.alg;
        setSig.run(signing.key.alg, signing.key.id, signOf(body), r.id);
      }
      return rows.length;
    },
    checkpointOf,
  };
}

/** A row of `audit_checkpoint`. */
export interface CheckpointRow {
  id: number;
  kind: string;
  seq: number;
  hash: Buffer;
  count: number;
  from_seq: number | null;
  at_sec: number;
  every: number;
  hash_alg: string;
  /** Null on a checkpoint signed before the key's algorithm was signed with it (an Ed25519 one) or not yet signed. */
  key_alg: string | null;
  key_id: string | null;
  sig: Buffer | null;
}
