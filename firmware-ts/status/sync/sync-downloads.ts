/**
 * The downloads of one sync, each bounded by what the manifest declares: the manifest itself
 * (small, in memory), a snapshot (streamed to its final file in the data dir with its sparse
 * index), a delta (streamed to a temporary file); signed documents are fetched whole by
 * fetchSmall (signed-updates.ts). Each either
 * returns a file proven good or throws a SyncError; the caller deletes whatever it created.
 * Snapshots and deltas resume where a cut connection or a restart left them
 * (resumable-download.ts); the manifest is fetched conditionally (If-None-Match).
 * @module
 */
import { createHash, randomInt } from 'node:crypto';
import { closeSync, fsyncSync, openSync, renameSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { DeltaReceiver } from './delta-receiver.js';
import { httpGet, type MinRate } from './http-get.js';
import { downloadResumable, type ResumableContext } from './resumable-download.js';
import type { DeltaRef, FileRef, SnapshotRef } from './manifest.js';
import { SnapshotReceiver, type ReceivedSnapshot } from './snapshot-receiver.js';
import { SnapshotReader, encodeIndexFile } from '../list/index.js';
import { deltaBytes, snapshotBytes } from '../list/index.js';
import { fsyncDir, indexFileFor, removeQuietly, snapshotFileName, tempFileName } from '../list/index.js';
import { oneLine } from '../../core/text-safety.js';
import { SyncError } from './sync-error.js';

/** What every download needs: where, how long to wait, and whom to tell about progress. */
export interface DownloadContext {
  baseUrl: URL;
  dataDir: string;
  timeoutMs: number;
  /** Sync lock token: names temporary files. */
  token: string;
  /** Files created so far (the caller deletes them if the sync fails). */
  created: string[];
  progress(file: string, done: number, total: number | null): void;
  /** Ends every request at once (the service is stopping). */
  signal?: AbortSignal;
  /** The floor on transfer rate. */
  minRate?: MinRate;
  /** Counts body bytes received. */
  onBytes?(n: number): void;
}

/** Resolves a manifest path under the base URL; refuses anything that would leave it. */
export function fileUrl(base: URL, path: string): URL {
  const url = new URL(path, base);
  if (url.origin !== base.origin || !url.pathname.startsWith(base.pathname)) {
    throw new SyncError(`manifest: path ${oneLine(path, 80)} leaves the base URL`);
  }
  return url;
}

/** Parses the base URL given by configuration or `--url`; http(s) only, ending in `/`. */
/** The one line a URL carrying a user name or password gets (never echoed: it holds the secret). */
export const CREDENTIALS_IN_URL =
  "base URL carries a user name or password: refused (they would be shown and stored in clear); publish the list where it needs none, or put the credentials in the server's own access rules";

export function parseBaseUrl(text: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new SyncError(`base URL ${oneLine(text, 80)} is not a valid URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new SyncError(`base URL must be http or https, not ${oneLine(url.protocol, 20)}`);
  }
  // Credentials in a URL end up in logs, status output and a world-readable configuration.
  if (url.username || url.password) throw new SyncError(CREDENTIALS_IN_URL);
  if (!url.pathname.endsWith('/')) url.pathname += '/';
  url.search = '';
  url.hash = '';
  return url;
}

/** GETs a small file whole (trust list). */
export async function fetchSmall(ctx: DownloadContext, path: string, maxBytes: number): Promise<Buffer> {
  const got = await fetchConditional(ctx, path, maxBytes, null);
  return got.body!;
}

/**
 * GETs a small file whole, with `If-None-Match: etag` when one is given: resolves to its body and
 * ETag, or to `body: null` when the server answers 304 (nothing new).
 */
export async function fetchConditional(ctx: DownloadContext, path: string, maxBytes: number, etag: string | null): Promise<{ body: Buffer | null; etag: string | null }> {
  const chunks: Uint8Array[] = [];
  const res = await httpGet(fileUrl(ctx.baseUrl, path), {
    label: path,
    timeoutMs: ctx.timeoutMs,
    maxBytes,
    accept: etag ? [200, 304] : [200],
    headers: etag ? { 'if-none-match': etag } : {},
    ...(ctx.signal ? { signal: ctx.signal } : {}),
    ...(ctx.minRate ? { minRate: ctx.minRate } : {}),
    onChunk: (c) => {
      ctx.onBytes?.(c.length);
      chunks.push(c);
    },
    onProgress: (done, total) => ctx.progress(path, done, total),
  });
  if (res.status === 304) return { body: null, etag };
  return { body: Buffer.concat(chunks), etag: res.head.etag };
}

function resumableContext(ctx: DownloadContext): ResumableContext {
  return {
    dataDir: ctx.dataDir,
    timeoutMs: ctx.timeoutMs,
    progress: ctx.progress,
    ...(ctx.signal ? { signal: ctx.signal } : {}),
    ...(ctx.minRate ? { minRate: ctx.minRate } : {}),
    ...(ctx.onBytes ? { onBytes: ctx.onBytes } : {}),
  };
}

export interface DownloadedSnapshot {
  baseId: number;
  /** File name inside the data dir. */
  name: string;
  reader: SnapshotReader;
  info: ReceivedSnapshot;
}

/** Streams the snapshot into the data dir (resuming a partial one); the file is durable when this returns. */
export async function downloadSnapshot(ctx: DownloadContext, ref: SnapshotRef): Promise<DownloadedSnapshot> {
  const baseId = randomInt(1, 2 ** 47);
  const name = snapshotFileName(ref.seq, baseId);
  const file = join(ctx.dataDir, name);
  const idxFile = indexFileFor(file);
  const expect = { seq: ref.seq, count: ref.count, sha256: ref.sha256, label: ref.path };
  const got = await downloadResumable(resumableContext(ctx), {
    path: ref.path,
    url: fileUrl(ctx.baseUrl, ref.path),
    sha256: ref.sha256,
    size: snapshotBytes(ref.count),
    fresh: (f) => new SnapshotReceiver(f, expect),
    resume: (f, keep) => SnapshotReceiver.resume(f, expect, keep),
  });
  const rx = got.sink as SnapshotReceiver;
  let index: Buffer;
  let sums: Buffer;
  let info: ReceivedSnapshot;
  try {
    ({ index, sums, info } = await rx.finish());
  } catch (err) {
    // A whole body that fails its checks never becomes good: it goes.
    await rx.abort();
    removeQuietly(got.file);
    removeQuietly(got.sidecar);
    throw err;
  }
  ctx.created.push(file, idxFile);
  renameSync(got.file, file);
  removeQuietly(got.sidecar);
  writeDurably(idxFile, encodeIndexFile({ keys: index, sums }, ref.sha256));
  fsyncDir(ctx.dataDir);
  const reader = SnapshotReader.open(file, idxFile, { seq: ref.seq, count: ref.count, sha256: ref.sha256 });
  return { baseId, name, reader, info };
}

/** Streams a delta to a partial file (resuming one) and checks it; returns the file's path. */
export async function downloadDelta(ctx: DownloadContext, ref: DeltaRef): Promise<string> {
  const got = await downloadResumable(resumableContext(ctx), {
    path: ref.path,
    url: fileUrl(ctx.baseUrl, ref.path),
    sha256: ref.sha256,
    size: deltaBytes(ref.count),
    fresh: (f) => new DeltaReceiver(f, ref),
    resume: async (f, keep) => DeltaReceiver.resume(f, ref, keep),
  });
  const rx = got.sink as DeltaReceiver;
  const file = join(ctx.dataDir, tempFileName(ctx.token, `delta-${ref.from}-${ref.to}.rsd`));
  try {
    rx.finish();
  } catch (err) {
    removeQuietly(got.file);
    removeQuietly(got.sidecar);
    throw err;
  }
  ctx.created.push(file);
  renameSync(got.file, file);
  removeQuietly(got.sidecar);
  return file;
}

function writeDurably(file: string, data: Uint8Array): void {
  const fd = openSync(file, 'wx');
  try {
    let written = 0;
    while (written < data.length) written += writeSync(fd, data, written, data.length - written);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
