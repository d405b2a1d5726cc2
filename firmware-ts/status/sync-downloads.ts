/**
 * The downloads of one sync, each bounded by what the manifest declares: the manifest itself
 * (small, in memory), a snapshot (streamed to its final file in the data dir with its sparse
 * index), a delta (streamed to a temporary file); signed documents are fetched whole by
 * fetchSmall (signed-updates.ts). Each either
 * returns a file proven good or throws a SyncError; the caller deletes whatever it created.
 * @module
 */
import { createHash, randomInt } from 'node:crypto';
import { closeSync, fsyncSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { DeltaReceiver } from './delta-receiver.js';
import { httpGet } from './http-get.js';
import type { DeltaRef, FileRef, SnapshotRef } from './manifest.js';
import { SnapshotReceiver, type ReceivedSnapshot } from './snapshot-receiver.js';
import { SnapshotReader } from './snapshot-reader.js';
import { deltaBytes, snapshotBytes } from './status-file-format.js';
import { fsyncDir, indexFileFor, snapshotFileName, tempFileName } from './status-files.js';
import { SyncError, oneLine } from './sync-error.js';

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
  if (!url.pathname.endsWith('/')) url.pathname += '/';
  url.search = '';
  url.hash = '';
  return url;
}

/** GETs a small file whole (manifest, trust list). */
export async function fetchSmall(ctx: DownloadContext, path: string, maxBytes: number): Promise<Buffer> {
  const chunks: Uint8Array[] = [];
  await httpGet(fileUrl(ctx.baseUrl, path), {
    label: path,
    timeoutMs: ctx.timeoutMs,
    maxBytes,
    onChunk: (c) => {
      chunks.push(c);
    },
    onProgress: (done, total) => ctx.progress(path, done, total),
  });
  return Buffer.concat(chunks);
}

export interface DownloadedSnapshot {
  baseId: number;
  /** File name inside the data dir. */
  name: string;
  reader: SnapshotReader;
  info: ReceivedSnapshot;
}

/** Streams the snapshot to a new file in the data dir; the file is durable when this returns. */
export async function downloadSnapshot(ctx: DownloadContext, ref: SnapshotRef): Promise<DownloadedSnapshot> {
  const baseId = randomInt(1, 2 ** 47);
  const name = snapshotFileName(ref.seq, baseId);
  const file = join(ctx.dataDir, name);
  const idxFile = indexFileFor(file);
  ctx.created.push(file, idxFile);
  const rx = new SnapshotReceiver(file, { seq: ref.seq, count: ref.count, sha256: ref.sha256, label: ref.path });
  let index: Buffer;
  let info: ReceivedSnapshot;
  try {
    await streamExactly(ctx, ref.path, snapshotBytes(ref.count), (c) => rx.write(c));
    ({ index, info } = await rx.finish());
  } finally {
    await rx.abort();
  }
  writeDurably(idxFile, index);
  fsyncDir(ctx.dataDir);
  const reader = SnapshotReader.open(file, idxFile, { seq: ref.seq, count: ref.count });
  return { baseId, name, reader, info };
}

/** GETs a file whose exact size the manifest fixes, handing each chunk to `sink`. */
async function streamExactly(ctx: DownloadContext, path: string, size: number, sink: (chunk: Buffer) => void | Promise<void>): Promise<void> {
  await httpGet(fileUrl(ctx.baseUrl, path), {
    label: path,
    timeoutMs: ctx.timeoutMs,
    maxBytes: size,
    exactBytes: size,
    onChunk: sink,
    onProgress: (done, total) => ctx.progress(path, done, total),
  });
}

/** Streams a delta to a temporary file and checks it; returns the file's path. */
export async function downloadDelta(ctx: DownloadContext, ref: DeltaRef): Promise<string> {
  const file = join(ctx.dataDir, tempFileName(ctx.token, `delta-${ref.from}-${ref.to}.rsd`));
  ctx.created.push(file);
  const rx = new DeltaReceiver(file, ref);
  try {
    await streamExactly(ctx, ref.path, deltaBytes(ref.count), (c) => rx.write(c));
    rx.finish();
  } finally {
    rx.close();
  }
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
