/**
 * The signed manifest of docs/STATUS-LIST.md: verified against an `SL` key of the trust list the
 * scanner already holds, then read field by field. Nothing in it is trusted before the
 * signature is; after it, paths are still checked so a manifest can only name files under
 * its own base URL.
 * @module
 */
import { decodeCbor, isBytes, isMap, isUint } from '../../codec/cbor.js';
import { decodeCoseSign1, sigStructure, type CoseSign1 } from '../../codec/cose.js';
import { SignatureVerifier } from '../../verify/signature-verifier.js';
import { COSE_ALG } from '../../crypto/public-key.js';
import type { TrustList } from '../../verify/trust-list.js';
import { SyncError } from './sync-error.js';

/** A manifest larger than this is refused before decoding. */
export const MAX_MANIFEST_BYTES = 1 << 20;
const MAX_DELTAS = 10_000;
const MAX_COUNT = 0xffff_ffff;
const MAX_TRUST_CHAIN = 64;
const MAX_RULES = 16;

export interface FileRef {
  path: string;
  sha256: Buffer;
}
export interface SnapshotRef extends FileRef {
  seq: number;
  count: number;
}
export interface DeltaRef extends FileRef {
  from: number;
  to: number;
  count: number;
}
export interface VersionedFileRef extends FileRef {
  version: number;
}
export interface RulesFileRef extends VersionedFileRef {
  name: string;
}
export interface Manifest {
  seq: number;
  iat: number;
  snap: SnapshotRef;
  deltas: DeltaRef[];
  trust: FileRef | null;
  /** Earlier signed trust lists the publisher keeps, for a scanner that missed rotations (implementation: README). */
  trustChain: VersionedFileRef[];
  /** Signed rules documents (docs/STATUS-LIST.md "Signed documents"). */
  rules: RulesFileRef[];
  /** Hex kid of the key that signed it. */
  signer: string;
}

const SAFE_PATH = /^[A-Za-z0-9._~-]+(\/[A-Za-z0-9._~-]+)*$/;

function bad(what: string): never {
  throw new SyncError(`manifest: ${what}`);
}

function field(map: Map<unknown, unknown>, key: string, where: string): unknown {
  if (!map.has(key)) bad(`${where}${key} is missing`);
  return map.get(key);
}

function uint(map: Map<unknown, unknown>, key: string, where = ''): number {
  const v = field(map, key, where);
  // 64-bit CBOR integers decode as bigint; any value a JS number holds exactly is fine.
  if (typeof v === 'bigint' && v >= 0n && v <= BigInt(Number.MAX_SAFE_INTEGER)) return Number(v);
  if (!isUint(v)) bad(`${where}${key} is not an unsigned integer`);
  return v;
}

function count(map: Map<unknown, unknown>, where: string): number {
  const v = uint(map, 'count', where);
  if (v > MAX_COUNT) bad(`${where}count does not fit the file header`);
  return v;
}

function sha(map: Map<unknown, unknown>, where: string): Buffer {
  const v = field(map, 'sha256', where);
  if (!isBytes(v) || v.length !== 32) bad(`${where}sha256 is not a 32-byte bstr`);
  return Buffer.from(v);
}

function path(map: Map<unknown, unknown>, where: string): string {
  const v = field(map, 'path', where);
  if (typeof v !== 'string' || v.length > 200 || !SAFE_PATH.test(v) || v.split('/').some((s) => s === '.' || s === '..')) {
    bad(`${where}path is not a plain relative path`);
  }
  return v;
}

function submap(v: unknown, where: string): Map<unknown, unknown> {
  if (!isMap(v)) bad(`${where} is not a map`);
  return v;
}

/** Reads the payload's fields; unknown keys are ignored (forward compatibility). */
export function parseManifestPayload(payload: Uint8Array): Omit<Manifest, 'signer'> {
  let root: unknown;
  try {
    root = decodeCbor(payload);
  } catch {
    bad('payload is not CBOR');
  }
  const m = submap(root, 'payload');
  if (m.get('v') !== 1) bad('v is not 1');
  const seq = uint(m, 'seq');
  const iat = uint(m, 'iat');
  const s = submap(field(m, 'snap', ''), 'snap');
  const snap: SnapshotRef = { seq: uint(s, 'seq', 'snap.'), path: path(s, 'snap.'), sha256: sha(s, 'snap.'), count: count(s, 'snap.') };
  if (snap.seq > seq) bad(`snap.seq ${snap.seq} is above seq ${seq}`);
  const rawDeltas = m.has('deltas') ? m.get('deltas') : [];
  if (!Array.isArray(rawDeltas)) bad('deltas is not an array');
  if (rawDeltas.length > MAX_DELTAS) bad(`more than ${MAX_DELTAS} deltas`);
  const deltas = rawDeltas.map((raw: unknown, i): DeltaRef => {
    const where = `deltas[${i}].`;
    const d = submap(raw, `deltas[${i}]`);
    const ref = { from: uint(d, 'from', where), to: uint(d, 'to', where), path: path(d, where), sha256: sha(d, where), count: count(d, where) };
    if (ref.from >= ref.to) bad(`${where}from is not below to`);
    return ref;
  });
  let trust: FileRef | null = null;
  if (m.has('trust') && m.get('trust') !== null) {
    const t = submap(m.get('trust'), 'trust');
    trust = { path: path(t, 'trust.'), sha256: sha(t, 'trust.') };
  }
  const trustChain = list(m, 'trustChain', MAX_TRUST_CHAIN).map((raw, i): VersionedFileRef => {
    const where = `trustChain[${i}].`;
    const t = submap(raw, `trustChain[${i}]`);
    return { version: uint(t, 'version', where), path: path(t, where), sha256: sha(t, where) };
  });
  const rules = list(m, 'rules', MAX_RULES).map((raw, i): RulesFileRef => {
    const where = `rules[${i}].`;
    const r = submap(raw, `rules[${i}]`);
    const name = field(r, 'name', where);
    if (typeof name !== 'string' || !/^[a-z0-9-]{1,40}$/.test(name)) bad(`${where}name is not a rules name`);
    return { name, version: uint(r, 'version', where), path: path(r, where), sha256: sha(r, where) };
  });
  return { seq, iat, snap, deltas, trust, trustChain, rules };
}

function list(m: Map<unknown, unknown>, key: string, max: number): unknown[] {
  const v = m.has(key) ? m.get(key) : [];
  if (v === null) return [];
  if (!Array.isArray(v)) bad(`${key} is not an array`);
  if (v.length > max) bad(`more than ${max} ${key} entries`);
  return v;
}

const verifier = new SignatureVerifier();

/** Verifies the signature with an `SL` key of `trust`, then parses; throws SyncError. */
export function verifyManifest(bytes: Uint8Array, trust: TrustList): Manifest {
  let cose: CoseSign1;
  try {
    cose = decodeCoseSign1(bytes);
  } catch (err) {
    bad(`not a COSE_Sign1 (${(err as Error).message})`);
  }
  if (!cose.kid) bad('no kid in its header');
  const kidHex = Buffer.from(cose.kid).toString('hex');
  const key = trust.byKid(cose.kid);
  if (!key) bad(`signed by key ${kidHex}, which the trust list (version ${trust.version}) does not hold`);
  if (!key.types.has('SL')) bad(`signed by key ${kidHex}, which is not an SL (status list) key`);
  if (cose.alg !== COSE_ALG[key.publicKey.alg]) bad(`alg ${cose.alg} is not that of key ${kidHex} (${key.publicKey.alg})`);
  if (!verifier.verify(key.publicKey, cose.alg, sigStructure(cose.protectedBytes, cose.payload), cose.signature)) {
    bad(`signature does not verify with key ${kidHex} (forged or damaged)`);
  }
  const body = parseManifestPayload(cose.payload);
  if (body.iat < key.notBefore || body.iat >= key.notAfter) {
    bad(`iat ${body.iat} is outside the validity of signing key ${kidHex}`);
  }
  return { ...body, signer: kidHex };
}
