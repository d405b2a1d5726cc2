/**
 * The test authority's status-list publisher: turns "these keys changed" into the static files
 * of docs/STATUS-LIST.md in a folder that any web server can serve (a snapshot per seq, a delta from
 * the previous seq, `manifest.cose` signed with the SL key, optionally a signed trust list and
 * signed rules documents, docs/STATUS-LIST.md).
 *
 * Its own bookkeeping lives in `publisher.json` beside the files, so successive `roadscan sim
 * publish-status` runs continue one list. The full list of each seq is a sorted file merged with
 * the changes in one streaming pass, so ten million entries cost no more memory than ten.
 * @module
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { KEY_BYTES, compareKeys } from '../../firmware-ts/status/list/index.js';
import type { SimKey } from '../authority/keys.js';
import { forgeManifest, signManifest, type Forgery, type ManifestBody } from './manifest-signer.js';
import { RecordFileWriter, type WrittenFile } from './record-file-writer.js';
import { SnapshotCursor } from './snapshot-cursor.js';

interface FileJson {
  path: string;
  sha256: string;
  count: number;
}

/** What `publisher.json` holds. */
export interface PublisherState {
  seq: number;
  iat: number;
  /** The full list at `seq` (always written, merged into by the next seq). */
  full: FileJson & { seq: number };
  /** The snapshot the manifest names (may be older than `seq`). */
  snap: FileJson & { seq: number };
  deltas: (FileJson & { from: number; to: number })[];
  trust: { path: string; sha256: string; version?: number } | null;
  /** Earlier signed trust lists, oldest first (the chain a scanner that missed rotations walks). */
  trustChain?: { path: string; sha256: string; version: number }[];
  /** Signed rules documents in the manifest, one per name. */
  rules?: { name: string; version: number; path: string; sha256: string }[];
  /** The authority's root generation the published trust list names (sim/authority/root-store.ts). */
  rootGen?: number;
}

/** A signed document to publish with the next manifest. */
export interface DocumentToPublish {
  version: number;
  /** The COSE_Sign bytes (sim/authority/signed-publications.ts), or any bytes for a broken file. */
  bytes: Uint8Array;
}

export interface PublishOptions {
  /** Folder the files go into (served as the base URL). */
  dir: string;
  /** The SL key. */
  key: SimKey;
  /** Manifest iat, seconds. */
  iat: number;
  /** Changes at the next seq: hex entry key -> status byte (0 removes). */
  changes: ReadonlyMap<string, number>;
  /** Name the new full list as the manifest's snapshot (default true); false keeps the old one. */
  newSnapshot?: boolean;
  /** How many deltas the manifest lists, newest last (default 16). */
  keepDeltas?: number;
  /** A trust list as plain JSON (version 1 publications; a 1.1 scanner refuses it). */
  trust?: unknown;
  /** A signed trust list (docs/STATUS-LIST.md "Signed documents"); the one it replaces joins the chain. */
  trustDocument?: DocumentToPublish;
  /** Signed rules documents by name (`calendar-cn`, `adoption`); each replaces that name's entry, null withdraws it. */
  rules?: Record<string, DocumentToPublish | null>;
  /** The root generation the trust list published now names (kept in the state). */
  rootGen?: number;
}

const STATE_FILE = 'publisher.json';

export function readPublisherState(dir: string): PublisherState | null {
  const file = join(dir, STATE_FILE);
  if (!existsSync(file)) return null;
  return JSON.parse(readFileSync(file, 'utf8')) as PublisherState;
}

function fileJson(w: WrittenFile, path: string): FileJson {
  return { path, sha256: w.sha256.toString('hex'), count: w.count };
}

function sortedChanges(changes: ReadonlyMap<string, number>): { keys: Buffer; statuses: number[] } {
  const list = [...changes].map(([hex, status]) => {
    const key = Buffer.from(hex, 'hex');
    if (key.length !== KEY_BYTES) throw new Error(`entry key ${hex} is not 16 bytes of hex`);
    if (!Number.isInteger(status) || status < 0 || status > 255) throw new Error(`status ${status} is not a byte`);
    return { key, status };
  });
  list.sort((a, b) => Buffer.compare(a.key, b.key));
  return { keys: Buffer.concat(list.map((e) => e.key)), statuses: list.map((e) => e.status) };
}

/** Merges the sorted full list at `prev` with the sorted changes into a new full list. */
function mergeFull(prev: string | null, ch: { keys: Buffer; statuses: number[] }, out: RecordFileWriter): void {
  const cur = prev ? new SnapshotCursor(prev) : null;
  let has = cur?.next() ?? false;
  let i = 0;
  const n = ch.statuses.length;
  while (has || i < n) {
    const c = !has ? 1 : i >= n ? -1 : compareKeys(cur!.buf, cur!.off, ch.keys, i * KEY_BYTES);
    if (c < 0) {
      out.add(cur!.buf, cur!.off, cur!.buf[cur!.off + KEY_BYTES]!);
      has = cur!.next();
    } else {
      if (ch.statuses[i] !== 0) out.add(ch.keys, i * KEY_BYTES, ch.statuses[i]!);
      i++;
      if (c === 0) has = cur!.next();
    }
  }
  cur?.close();
}

/** The manifest body a state describes (tests re-sign altered copies of it). */
export function manifestBodyOf(s: PublisherState): ManifestBody {
  const hex = (h: string) => Buffer.from(h, 'hex');
  return {
    seq: s.seq,
    iat: s.iat,
    snap: { seq: s.snap.seq, path: s.snap.path, sha256: hex(s.snap.sha256), count: s.snap.count },
    deltas: s.deltas.map((d) => ({ from: d.from, to: d.to, path: d.path, sha256: hex(d.sha256), count: d.count })),
    trust: s.trust ? { path: s.trust.path, sha256: hex(s.trust.sha256) } : null,
    trustChain: (s.trustChain ?? []).map((t) => ({ version: t.version, path: t.path, sha256: hex(t.sha256) })),
    rules: (s.rules ?? []).map((r) => ({ name: r.name, version: r.version, path: r.path, sha256: hex(r.sha256) })),
  };
}

function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Writes a file so that a server never serves half of it. */
function writeAtomically(file: string, data: Uint8Array | string): void {
  writeFileSync(`${file}.tmp`, data);
  renameSync(`${file}.tmp`, file);
}

/** Signs and writes `manifest.cose` for the state; a forgery when asked. */
export function writeManifest(dir: string, s: PublisherState, key: SimKey, forgery?: Forgery, otherKey?: SimKey): string {
  const body = manifestBodyOf(s);
  const bytes = forgery ? forgeManifest(body, key, forgery, otherKey) : signManifest(body, key);
  const file = join(dir, 'manifest.cose');
  writeAtomically(file, bytes);
  return file;
}

function saveState(dir: string, s: PublisherState): void {
  writeAtomically(join(dir, STATE_FILE), `${JSON.stringify(s, null, 2)}\n`);
}

/**
 * Publishes the next seq: new full list, the delta from the previous seq (none for the first),
 * the manifest. Returns the new state.
 */
export function publishNext(opts: PublishOptions): PublisherState {
  mkdirSync(opts.dir, { recursive: true });
  const prev = readPublisherState(opts.dir);
  const seq = (prev?.seq ?? 0) + 1;
  const ch = sortedChanges(opts.changes);
  const fullPath = `snap-${seq}.bin`;
  const writer = new RecordFileWriter(join(opts.dir, fullPath), { kind: 'snapshot', seq });
  mergeFull(prev ? join(opts.dir, prev.full.path) : null, ch, writer);
  const full = { ...fileJson(writer.finish(), fullPath), seq };
  let deltas = prev?.deltas ?? [];
  let newDelta: PublisherState['deltas'][number] | null = null;
  if (prev) {
    const path = `delta-${prev.seq}-${seq}.bin`;
    const dw = new RecordFileWriter(join(opts.dir, path), { kind: 'delta', from: prev.seq, to: seq });
    for (let i = 0; i < ch.statuses.length; i++) dw.add(ch.keys, i * KEY_BYTES, ch.statuses[i]!);
    newDelta = { ...fileJson(dw.finish(), path), from: prev.seq, to: seq };
    deltas = [...deltas, newDelta];
  }
  const keep = opts.keepDeltas ?? 16;
  deltas = keep === 0 ? [] : deltas.slice(-keep);
  let trust = prev?.trust ?? null;
  if (opts.trust !== undefined && opts.trust !== null) {
    const text = `${JSON.stringify(opts.trust, null, 2)}\n`;
    const path = `trust-${seq}.json`;
    writeAtomically(join(opts.dir, path), text);
    trust = { path, sha256: createHash('sha256').update(text).digest('hex') };
  }
  let trustChain = prev?.trustChain ?? [];
  if (opts.trustDocument) {
    // The list it replaces stays published: a scanner that missed it walks the chain.
    // It holds the earlier versions only, one document per version, oldest first.
    const v = opts.trustDocument.version;
    if (trust && trust.version !== undefined)
      trustChain = [...trustChain.filter((t) => t.version !== trust!.version), { path: trust.path, sha256: trust.sha256, version: trust.version }];
    trustChain = trustChain.filter((t) => t.version < v).sort((a, b) => a.version - b.version);
    const path = `trust-v${opts.trustDocument.version}-${seq}.cose`;
    writeAtomically(join(opts.dir, path), opts.trustDocument.bytes);
    trust = { path, sha256: sha256Hex(opts.trustDocument.bytes), version: opts.trustDocument.version };
  }
  let rules = prev?.rules ?? [];
  for (const [name, d] of Object.entries(opts.rules ?? {})) {
    if (d === null) {
      rules = rules.filter((r) => r.name !== name);
      continue;
    }
    const path = `rules-${name}-v${d.version}-${seq}.cose`;
    writeAtomically(join(opts.dir, path), d.bytes);
    rules = [...rules.filter((r) => r.name !== name), { name, version: d.version, path, sha256: sha256Hex(d.bytes) }];
  }
  const snap = opts.newSnapshot === false && prev ? prev.snap : full;
  const rootGen = opts.rootGen ?? prev?.rootGen;
  const state: PublisherState = { seq, iat: opts.iat, full, snap, deltas, trust, trustChain, rules, ...(rootGen !== undefined ? { rootGen } : {}) };
  writeManifest(opts.dir, state, opts.key);
  saveState(opts.dir, state);
  // Files the manifest no longer names go.
  for (const d of [...(prev?.deltas ?? []), ...(newDelta ? [newDelta] : [])]) {
    if (!deltas.some((x) => x.path === d.path)) rmSync(join(opts.dir, d.path), { force: true });
  }
  if (prev && prev.full.path !== snap.path && prev.full.path !== prev.snap.path) rmSync(join(opts.dir, prev.full.path), { force: true });
  if (prev && prev.snap.path !== snap.path && prev.snap.path !== full.path) rmSync(join(opts.dir, prev.snap.path), { force: true });
  return state;
}

/** Starts a list from a snapshot file already written in `dir` (a large synthetic list). */
export function publishFromSnapshot(dir: string, key: SimKey, iat: number, written: WrittenFile, path: string, seq: number): PublisherState {
  const full = { ...fileJson(written, path), seq };
  const state: PublisherState = { seq, iat, full, snap: full, deltas: [], trust: null };
  writeManifest(dir, state, key);
  saveState(dir, state);
  return state;
}

/** Re-signs the current manifest with a new iat (the list did not change: "equal seq"). */
export function republish(dir: string, key: SimKey, iat: number): PublisherState {
  const s = readPublisherState(dir);
  if (!s) throw new Error(`${dir}: nothing published yet`);
  const next = { ...s, iat };
  writeManifest(dir, next, key);
  saveState(dir, next);
  return next;
}
