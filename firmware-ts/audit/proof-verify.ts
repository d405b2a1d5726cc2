/**
 * Checks a proof export (audit-proof.ts) offline with the device's public key, the way a third
 * party in a dispute would: no database, no network, only the file and the key.
 *
 * It says, one line each, what does not hold: a record missing (gap), a record whose fields no
 * longer give the hash its successor or a checkpoint carries (edited), records out of the order
 * they were chained (reordered), two signed histories for one sequence number (fork), a
 * checkpoint that should be there and is not or one the records stop short of (missing
 * checkpoint, truncated), a checkpoint not signed by this key (forged), a record twice or an
 * export that answers another challenge (replayed). The file is hostile input: lines and counts
 * are bounded and anything malformed is one line saying which line.
 * @module
 */
import * as nodeCrypto from 'node:crypto';
import { readSync } from 'node:fs';
import { chainValuesOfRecord, type AuditRecord } from './audit-record.js';
import type { Checkpoint } from './audit-chain.js';
import { genesisHash, recordDigest } from './chain-codec.js';
import { isSignedBy, type DevicePublicKey } from './device-key.js';
import { PROOF_FORMAT, type ProofHeader } from './audit-proof.js';

/** Records one verify holds at once (about 300 MB); larger exports are checked in parts (--since). */
export const MAX_PROOF_RECORDS = 1_000_000;
export const MAX_PROOF_LINE = 8192;
const MAX_CHECKPOINTS = 200_000;
const MAX_PROBLEMS = 200;
const HEX64 = /^[0-9a-f]{64}$/;
const HEX32 = /^[0-9a-f]{32}$/;

export interface ProofVerdict {
  problems: string[];
  /** One line: what was checked (and, without problems, that it holds). */
  summary: string;
}

export interface VerifyProofOptions {
  /** The challenge the export must answer (its closing checkpoint signs it). */
  challenge?: string | null;
}

interface Held {
  rec: AuditRecord;
  hash: string | null;
  line: number;
}

export function verifyProof(lines: Iterable<string>, key: DevicePublicKey, opts: VerifyProofOptions = {}): ProofVerdict {
  const problems: string[] = [];
  const say = (p: string) => {
    if (problems.length < MAX_PROBLEMS) problems.push(p);
  };
  let header: ProofHeader | null = null;
  const checkpoints: (Checkpoint & { line: number })[] = [];
  const records: Held[] = [];
  let n = 0;
  for (const raw of lines) {
    n++;
    if (raw.trim() === '') continue;
    if (raw.length > MAX_PROOF_LINE) return fail(`line ${n}: longer than ${MAX_PROOF_LINE} characters, not an audit export`);
    let obj: unknown;
    try {
      obj = JSON.parse(raw);
    } catch {
      return fail(`line ${n}: not JSON`);
    }
    if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) return fail(`line ${n}: not a JSON object`);
    const o = obj as Record<string, unknown>;
    if (header === null) {
      if (o.proof !== PROOF_FORMAT || typeof o.log !== 'string' || typeof o.device !== 'string' || typeof o.hashAlg !== 'string') {
        return fail(`line ${n}: not a proof export (${PROOF_FORMAT}); make one with roadscan audit export --proof`);
      }
      if (o.hashAlg !== 'sha256' && o.hashAlg !== 'sm3') return fail(`line ${n}: unknown hash algorithm`);
      header = o as unknown as ProofHeader;
      continue;
    }
    if ('checkpoint' in o) {
      const c = checkpointOf(o.checkpoint);
      if (!c) return fail(`line ${n}: malformed checkpoint`);
      if (checkpoints.length >= MAX_CHECKPOINTS) return fail(`more than ${MAX_CHECKPOINTS} checkpoints: check the export in parts (--since)`);
      checkpoints.push({ ...c, line: n });
      continue;
    }
    const rec = recordOf(o);
    if (!rec) return fail(`line ${n}: malformed record`);
    if (records.length >= MAX_PROOF_RECORDS) return fail(`more than ${MAX_PROOF_RECORDS} records: check the export in parts (--since)`);
    const chained = rec.prev !== undefined && rec.salt !== undefined;
    records.push({ rec, line: n, hash: chained ? recordDigest(nodeCrypto, header.hashAlg, rec.prev!, rec.seq, rec.salt!, chainValuesOfRecord(rec)) : null });
  }
  if (header === null) return fail('empty file: not an audit export');
  const h = header;

  // Checkpoints: signed by this key, about this log.
  const valid: (Checkpoint & { line: number })[] = [];
  for (const c of checkpoints) {
    const where = `the ${c.kind} checkpoint at seq ${c.seq} (line ${c.line})`;
    if (c.log !== h.log || c.hashAlg !== h.hashAlg) {
      say(`forged: ${where} is about another log`);
      continue;
    }
    if (c.sig === null) {
      say(`forged: ${where} carries no signature`);
      continue;
    }
    if ((c.keyAlg ?? 'Ed25519') !== key.alg) say(`forged: ${where} says an ${c.keyAlg ?? 'Ed25519'} key signed it, but the device key given is ${key.alg}`);
    else if (!isSignedBy(key, c)) say(`forged: ${where} is not signed by this device key`);
    else valid.push(c);
  }
  const closing = checkpoints.length > 0 && checkpoints[checkpoints.length - 1]!.kind === 'export' ? checkpoints[checkpoints.length - 1]! : null;
  if (!closing) say('missing checkpoint: the export has no closing checkpoint (the file was cut short or added to)');
  if (opts.challenge != null && closing && closing.challenge !== opts.challenge) {
    say(
      `replayed: the export answers ${closing.challenge === null ? 'no challenge' : `challenge ${JSON.stringify(closing.challenge)}`}, not ${JSON.stringify(opts.challenge)}: an older export`,
    );
  }

  // File order and duplicates.
  const bySeq = new Map<number, Held>();
  for (let i = 0; i < records.length; i++) {
    const r = records[i]!;
    const held = bySeq.get(r.rec.seq);
    if (held) {
      if (held.hash === r.hash && JSON.stringify(held.rec) === JSON.stringify(r.rec)) say(`replayed: seq ${r.rec.seq} appears twice (lines ${held.line} and ${r.line})`);
      else say(`fork: two different records carry seq ${r.rec.seq} (lines ${held.line} and ${r.line})`);
      continue;
    }
    bySeq.set(r.rec.seq, r);
    if (i > 0 && r.rec.seq < records[i - 1]!.rec.seq) say(`reordered: seq ${r.rec.seq} comes after seq ${records[i - 1]!.rec.seq} in the file`);
  }
  const seqs = [...bySeq.keys()].sort((a, b) => a - b);
  const start = valid.find((c) => c.kind === 'start');
  if (seqs.length === 0) return done();
  const lo = seqs[0]!;
  const hi = seqs[seqs.length - 1]!;

  // Gaps.
  for (let i = 1; i < seqs.length; i++) {
    if (seqs[i]! > seqs[i - 1]! + 1) {
      const a = seqs[i - 1]! + 1;
      const b = seqs[i]! - 1;
      say(`gap: ${a === b ? `seq ${a} is` : `seq ${a}..${b} are`} missing`);
    }
  }
  // Unchained records are only those from before the chain began.
  for (const s of seqs) {
    const r = bySeq.get(s)!;
    if (r.hash === null && (!start || s > start.seq)) say(`edited: seq ${s} carries no chain hash (prev, salt) but the chain began at seq ${start ? start.seq : '?'}`);
  }

  // Links: each record's prev must be the hash of the one before.
  const hashOwner = new Map<string, number>();
  const prevOwner = new Map<string, number>();
  for (const [s, r] of bySeq) {
    if (r.hash) hashOwner.set(r.hash, s);
    if (r.rec.prev) prevOwner.set(r.rec.prev, s);
  }
  const reordered = new Set<number>();
  const edited = new Map<number, string>();
  for (const s of seqs) {
    const r = bySeq.get(s)!;
    const before = bySeq.get(s - 1);
    if (!r.rec.prev || !before?.hash || r.rec.prev === before.hash) continue;
    const follows = hashOwner.get(r.rec.prev);
    const successor = prevOwner.get(before.hash);
    if ((follows !== undefined && follows !== s - 1) || (successor !== undefined && successor !== s)) {
      reordered.add(s);
      if (successor !== undefined) reordered.add(successor);
    } else if (!reordered.has(s - 1)) edited.set(s - 1, `edited: seq ${s - 1}: its fields do not give the hash seq ${s} carries`);
  }
  // The first record follows the chain's start or a purge's end, when the export reaches back to it.
  const first = bySeq.get(lo)!;
  const anchor =
    start && start.seq === lo - 1
      ? { hash: genesisHash(nodeCrypto, h.hashAlg, h.log), what: "the chain's start" }
      : valid.find((c) => c.kind === 'purge' && c.seq === lo - 1);
  if (anchor && first.rec.prev && first.rec.prev !== anchor.hash) {
    edited.set(
      lo,
      `edited: seq ${lo}: it does not follow ${'what' in anchor ? anchor.what : `the hash the purge of seq ${anchor.fromSeq ?? '?'}..${anchor.seq} ended on`}`,
    );
  }

  // Checkpoints against the records.
  const signedAt = new Map<number, Set<string>>();
  for (const c of valid) {
    if (c.kind === 'purge' || c.kind === 'start') continue;
    const set = signedAt.get(c.seq) ?? new Set<string>();
    set.add(c.hash);
    signedAt.set(c.seq, set);
  }
  for (const [s, hashes] of signedAt) if (hashes.size > 1) say(`fork: ${hashes.size} signed checkpoints at seq ${s} vouch for different histories`);
  let truncatedAt: { seq: number; kind: string } | null = null;
  for (const c of valid) {
    if (c.kind === 'purge' || c.kind === 'start' || (signedAt.get(c.seq)?.size ?? 0) > 1) continue;
    if (c.seq > hi) {
      if (!truncatedAt || c.seq > truncatedAt.seq) truncatedAt = { seq: c.seq, kind: c.kind };
      continue;
    }
    const r = bySeq.get(c.seq);
    if (!r?.hash || r.hash === c.hash || edited.has(c.seq) || reordered.has(c.seq)) continue;
    const next = bySeq.get(c.seq + 1);
    if (next?.rec.prev === r.hash) say(`fork: the ${c.kind} checkpoint signed seq ${c.seq} with another hash than the records give: another history`);
    else edited.set(c.seq, `edited: seq ${c.seq}: its fields do not give the hash the ${c.kind} checkpoint signed`);
  }
  if (truncatedAt) say(`truncated: the records end at seq ${hi}, but the ${truncatedAt.kind} checkpoint signed seq ${truncatedAt.seq}`);
  for (const line of [...edited.entries()].sort((a, b) => a[0] - b[0]).map((e) => e[1])) say(line);
  for (const [a, b] of runs([...reordered].sort((x, y) => x - y))) say(`reordered: ${a === b ? `seq ${a} is` : `seq ${a}..${b} are`} not in the order they were chained`);

  // Count checkpoints: one at every multiple of `every`, from the chain's start on.
  const every = valid.find((c) => c.every > 0)?.every ?? 0;
  if (every > 0) {
    // A forged one was said already: not said again as missing.
    const counted = new Set(checkpoints.filter((c) => c.kind === 'count').map((c) => c.seq));
    const missing: number[] = [];
    for (let s = Math.ceil(Math.max(lo, (start?.seq ?? 0) + 1) / every) * every; s <= hi; s += every) {
      if (bySeq.has(s) && !counted.has(s)) missing.push(s);
    }
    for (const s of missing.slice(0, 20)) say(`missing checkpoint: none at seq ${s} (one every ${every} records)`);
    if (missing.length > 20) say(`missing checkpoint: ${missing.length - 20} more`);
  }
  return done();

  function done(): ProofVerdict {
    const range = seqs.length === 0 ? 'no records' : `${seqs.length} records (seq ${seqs[0]}..${seqs[seqs.length - 1]})`;
    const tail =
      problems.length === 0
        ? 'the chain is whole and every checkpoint is signed by the device key'
        : `${problems.length}${problems.length >= MAX_PROBLEMS ? '+' : ''} problems`;
    return { problems, summary: `${range}, ${checkpoints.length} checkpoints: ${tail}` };
  }
  function fail(line: string): ProofVerdict {
    return { problems: [line], summary: 'not checked' };
  }
}

/** Runs of consecutive numbers, as [first, last] pairs. */
function runs(sorted: number[]): [number, number][] {
  const out: [number, number][] = [];
  for (const x of sorted) {
    const last = out[out.length - 1];
    if (last && x === last[1] + 1) last[1] = x;
    else out.push([x, x]);
  }
  return out;
}

function checkpointOf(v: unknown): Checkpoint | null {
  if (v === null || typeof v !== 'object') return null;
  const c = v as Record<string, unknown>;
  const int = (x: unknown) => Number.isSafeInteger(x);
  const str = (x: unknown) => typeof x === 'string' && x.length <= 256;
  if (!str(c.log) || !str(c.device) || !str(c.kind) || !int(c.seq) || typeof c.hash !== 'string' || !int(c.count) || !int(c.atSec) || !int(c.every) || !str(c.hashAlg))
    return null;
  if (!(c.fromSeq === null || int(c.fromSeq)) || !(c.challenge === null || str(c.challenge)) || !(c.sig === null || str(c.sig)) || !(c.keyId === null || str(c.keyId)))
    return null;
  if (!(c.keyAlg === undefined || c.keyAlg === null || c.keyAlg === 'Ed25519' || c.keyAlg === 'SM2')) return null;
  if (!HEX64.test(c.hash as string)) return null;
  return c as unknown as Checkpoint;
}

function recordOf(o: Record<string, unknown>): AuditRecord | null {
  const str = (x: unknown) => typeof x === 'string' && x.length <= 256;
  const strOrNull = (x: unknown) => x === null || str(x);
  if (!Number.isSafeInteger(o.seq) || !str(o.at) || Number.isNaN(Date.parse(o.at as string)) || !str(o.device) || !str(o.operator) || !str(o.profile) || !str(o.region))
    return null;
  if (!strOrNull(o.station) || !str(o.verdict) || !Array.isArray(o.reasons) || !o.reasons.every(str) || !strOrNull(o.type) || !strOrNull(o.statusKey)) return null;
  if (typeof o.clockReliable !== 'boolean' || typeof o.ms !== 'number' || !(o.scanId === undefined || str(o.scanId))) return null;
  if (o.action !== undefined) {
    const a = o.action as Record<string, unknown> | null;
    if (a === null || typeof a !== 'object' || !str(a.action) || !str(a.source) || !str(a.result)) return null;
  }
  if ((o.prev === undefined) !== (o.salt === undefined)) return null;
  if (o.prev !== undefined && (typeof o.prev !== 'string' || !HEX64.test(o.prev) || typeof o.salt !== 'string' || !HEX32.test(o.salt))) return null;
  return o as unknown as AuditRecord;
}

/** The lines of a file, read in pieces (a line longer than MAX_PROOF_LINE is cut there, and then refused). */
export function* fileLines(fd: number): IterableIterator<string> {
  const chunk = Buffer.alloc(1 << 16);
  let carry = '';
  const decoder = new TextDecoder('utf-8');
  for (;;) {
    const bytes = readSync(fd, chunk, 0, chunk.length, null);
    if (bytes === 0) break;
    carry += decoder.decode(chunk.subarray(0, bytes), { stream: true });
    const parts = carry.split('\n');
    carry = parts.pop()!;
    for (const p of parts) yield p;
    if (carry.length > MAX_PROOF_LINE) {
      yield carry.slice(0, MAX_PROOF_LINE + 1);
      return;
    }
  }
  carry += decoder.decode();
  if (carry !== '') yield carry;
}
