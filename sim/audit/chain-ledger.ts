/**
 * What the collector knows of each device's audit chain, and the check every batch must pass
 * before anything of it is stored: it continues what is held (the next sequence number, following
 * the hash of the last record held), its records chain among themselves, a record sent again is
 * the same record, the device key is the one the device first came with, and every checkpoint it
 * carries is signed by that key and agrees with the records. A batch that does not is refused
 * whole, with one line saying why; the device keeps it and says so in its upload failures.
 *
 * The first batch of a log is taken as its start (the collector cannot know what came before);
 * a record from before the chain (no `prev`) only has to come next in sequence.
 * @module
 */
import * as nodeCrypto from 'node:crypto';
import type { Checkpoint } from '../../firmware-ts/audit/audit-chain.js';
import { chainValuesOfRecord, type AuditRecord } from '../../firmware-ts/audit/audit-record.js';
import { recordDigest } from '../../firmware-ts/audit/chain-codec.js';
import { isSignedBy, parsePublicKey, type DevicePublicKey } from '../../firmware-ts/audit/device-key.js';

const HEX64 = /^[0-9a-f]{64}$/;
const HEX32 = /^[0-9a-f]{32}$/;

interface LogHead {
  seq: number;
  /** The chain's hash, 'sha256' or 'sm3', as the log's first batch said (absent: 'sha256'). */
  hashAlg: string;
  /** Null after a record from before the chain. */
  hash: string | null;
  /** Hashes of the records held, by seq (to check checkpoints and records sent again). */
  hashes: Map<number, string | null>;
}

export interface BatchPlan {
  /** Records new to the collector, in order; the rest were held already (and are the same). */
  fresh: AuditRecord[];
  checkpoints: Checkpoint[];
  hashAlg: string;
}

export class ChainLedger {
  private readonly heads = new Map<string, LogHead>();
  private readonly keys = new Map<string, { publicKey: string; key: DevicePublicKey }>();

  /**
   * Checks a batch against what is held; returns what to store, or a one-line refusal. Nothing
   * changes until `accept` is called with the plan.
   */
  check(
    log: string,
    device: string,
    records: AuditRecord[],
    checkpoints: unknown,
    deviceKey: unknown,
    heldJson: (seq: number) => string | undefined,
    hashAlgGiven?: unknown,
  ): BatchPlan | { refused: string } {
    const key = this.keyFor(device, deviceKey);
    if ('refused' in key) return key;
    const head = this.heads.get(log);
    const hashAlg = hashAlgGiven === undefined ? 'sha256' : hashAlgGiven;
    if (hashAlg !== 'sha256' && hashAlg !== 'sm3') return { refused: 'hashAlg: not sha256 or sm3' };
    if (head && head.hashAlg !== hashAlg) return { refused: `chain: the log's hash was ${head.hashAlg}, the batch says ${hashAlg}` };
    let seq = head?.seq ?? null;
    let hash = head?.hash ?? null;
    const hashes = new Map<number, string | null>();
    const fresh: AuditRecord[] = [];
    for (const r of records) {
      const chained = typeof r.prev === 'string' && typeof r.salt === 'string';
      if (chained && (!HEX64.test(r.prev!) || !HEX32.test(r.salt!))) return { refused: `chain: seq ${r.seq} carries a malformed prev or salt` };
      const own = chained ? recordDigest(nodeCrypto, hashAlg, r.prev!, r.seq, r.salt!, chainValuesOfRecord(r)) : null;
      const held = heldJson(r.seq);
      if (held !== undefined) {
        if (held !== JSON.stringify(r)) return { refused: `fork: seq ${r.seq} differs from the record the collector holds` };
        continue;
      }
      if (seq !== null && r.seq !== seq + 1) {
        return { refused: `gap: the batch goes on at seq ${r.seq}, but the collector holds this log through seq ${seq}` };
      }
      if (chained && hash !== null && r.prev !== hash) return { refused: `chain: seq ${r.seq} does not follow the hash of seq ${seq} the collector holds` };
      seq = r.seq;
      hash = own;
      hashes.set(r.seq, own);
      fresh.push(r);
    }
    if (checkpoints !== undefined && !Array.isArray(checkpoints)) return { refused: 'checkpoints: not a list' };
    const cps = (checkpoints ?? []) as Checkpoint[];
    for (const c of cps) {
      if (c === null || typeof c !== 'object' || typeof c.sig !== 'string' || typeof c.hash !== 'string' || !Number.isSafeInteger(c.seq)) {
        return { refused: 'checkpoint: malformed or unsigned' };
      }
      if (c.log !== log) return { refused: `checkpoint at seq ${c.seq} is about another log` };
      if (c.hashAlg !== hashAlg) return { refused: `checkpoint at seq ${c.seq} is about a ${String(c.hashAlg)} chain, the batch's is ${hashAlg}` };
      if (!key.key) return { refused: 'checkpoints but no device key: the device must send its public key' };
      if (!isSignedBy(key.key, c)) return { refused: `forged: the ${String(c.kind)} checkpoint at seq ${c.seq} is not signed by the device key` };
      if (c.kind === 'purge' || c.kind === 'start') continue;
      const known = hashes.has(c.seq) ? hashes.get(c.seq) : head?.hashes.get(c.seq);
      if (known && known !== c.hash) return { refused: `fork: the ${c.kind} checkpoint at seq ${c.seq} signs another hash than the records give` };
    }
    return { fresh, checkpoints: cps, hashAlg };
  }

  /** Takes a checked batch in: the head moves on. */
  accept(log: string, plan: BatchPlan): void {
    const head = this.heads.get(log) ?? { seq: 0, hashAlg: plan.hashAlg, hash: null, hashes: new Map() };
    for (const r of plan.fresh) {
      const chained = typeof r.prev === 'string' && typeof r.salt === 'string';
      head.seq = r.seq;
      head.hash = chained ? recordDigest(nodeCrypto, head.hashAlg, r.prev!, r.seq, r.salt!, chainValuesOfRecord(r)) : null;
      head.hashes.set(r.seq, head.hash);
    }
    if (plan.fresh.length > 0) this.heads.set(log, head);
  }

  /** The device's public key, pinned at its first batch; a batch with another is refused. */
  private keyFor(device: string, deviceKey: unknown): { key: DevicePublicKey | null } | { refused: string } {
    const held = this.keys.get(device);
    const given = (deviceKey as { publicKey?: unknown } | null | undefined)?.publicKey;
    if (given === undefined || given === null) return { key: held?.key ?? null };
    if (typeof given !== 'string' || given.length > 1024) return { refused: 'device key: malformed' };
    if (held) return held.publicKey === given ? { key: held.key } : { refused: `device key changed: device ${JSON.stringify(device)} came with another key` };
    try {
      const key = parsePublicKey(given);
      this.keys.set(device, { publicKey: given, key });
      return { key };
    } catch {
      return { refused: 'device key: not an Ed25519 or SM2 public key' };
    }
  }
}
