/**
 * A download that survives a link that comes and goes (docs/STATUS-LIST.md "Downloads over a network
 * that comes and goes"): the body streams into a partial file named after the SHA-256 the
 * manifest promises, and a small sidecar beside it records the validator of the first response
 * (its ETag, else its Last-Modified) and how many bytes are durably on disk. A cut connection
 * is asked again with `Range: bytes=N-` and `If-Range`; a `206` continues the file, a `200` (the
 * file changed on the server) starts it again from zero. After a restart of the device the
 * sidecar says where to go on: the kept prefix is replayed through the receiver's checks and
 * hash, so the whole file is checked as if it had come in one piece.
 *
 * Within one sync a cut is retried at once as long as each attempt brings bytes; a transfer
 * below the floor rate, a stop, or an attempt that brings nothing ends the sync (the partial file
 * stays for the next one). Content that breaks a rule (bad header, unsorted, wrong hash) deletes
 * the partial file: it would never become good.
 * @module
 */
import { closeSync, fsyncSync, openSync, readFileSync, readdirSync, renameSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { httpGet, type MinRate, type ResponseHead } from './http-get.js';
import { fsyncDir, removeQuietly } from '../list/index.js';
import { SyncError } from './sync-error.js';

/** What a receiver offers the download: the bytes so far, the next chunk, a durable point. */
export interface ResumableSink {
  readonly bytes: number;
  write(chunk: Uint8Array): void | Promise<void>;
  /** Makes every byte taken so far durable; resolves to their number. */
  checkpoint(): Promise<number>;
  /** Closes the file, keeping it. */
  abort(): Promise<void>;
}

export interface ResumableTarget {
  /** The file's path under the base URL (and for messages). */
  path: string;
  url: URL;
  /** Its SHA-256 and length as the manifest promises. */
  sha256: Buffer;
  size: number;
  /** A new receiver on a new file, or one that continues `keep` durable bytes of a partial one. */
  fresh(file: string): ResumableSink;
  resume(file: string, keep: number): Promise<ResumableSink>;
}

export interface ResumableContext {
  dataDir: string;
  timeoutMs: number;
  signal?: AbortSignal;
  minRate?: MinRate;
  progress(file: string, done: number, total: number | null): void;
  /** Counts every body byte received (tests and metrics). */
  onBytes?(n: number): void;
}

interface Sidecar {
  v: 1;
  path: string;
  sha256: string;
  size: number;
  validator: string;
  kept: number;
}

/** Bytes between checkpoints (fdatasync plus sidecar). */
export const CHECKPOINT_BYTES = 16 << 20;
/** Attempts within one sync while each brings bytes (20 MB cuts of a 170 MB file need 9). */
const MAX_ATTEMPTS = 64;

const PART = /^\.part-[0-9a-f]{64}(\.json(\.new)?)?$/;

export function partFileName(sha256: Buffer): string {
  return `.part-${sha256.toString('hex')}`;
}

/** Deletes every partial download except those named in `keep`. Never throws. */
export function removePartials(dir: string, keep: ReadonlySet<string> = new Set()): void {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return;
  }
  for (const n of names) if (PART.test(n) && !keep.has(n.replace(/\.json(\.new)?$/, ''))) removeQuietly(join(dir, n));
}

function readSidecar(file: string, t: ResumableTarget): Sidecar | null {
  try {
    const s = JSON.parse(readFileSync(file, 'utf8')) as Partial<Sidecar>;
    if (s.v !== 1 || s.sha256 !== t.sha256.toString('hex') || s.size !== t.size || s.path !== t.path) return null;
    if (typeof s.validator !== 'string' || s.validator.length > 256) return null;
    if (!Number.isSafeInteger(s.kept) || s.kept! < 0 || s.kept! > t.size) return null;
    return s as Sidecar;
  } catch {
    return null;
  }
}

function writeSidecar(file: string, s: Sidecar): void {
  const tmp = `${file}.new`;
  const fd = openSync(tmp, 'w');
  try {
    writeSync(fd, JSON.stringify(s));
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, file);
}

/** The validator If-Range may carry: a strong ETag, else the Last-Modified date. */
function validatorOf(h: ResponseHead): string | null {
  if (h.etag && !h.etag.startsWith('W/')) return h.etag;
  return h.lastModified;
}

/**
 * Fetches the target into its partial file, resuming what an earlier attempt kept. Resolves
 * with the receiver holding the whole body (the caller finishes it and removes the partial
 * file or renames it) and the partial file's path.
 */
export async function downloadResumable(ctx: ResumableContext, t: ResumableTarget): Promise<{ sink: ResumableSink; file: string; sidecar: string }> {
  const file = join(ctx.dataDir, partFileName(t.sha256));
  const sidecarFile = `${file}.json`;
  let side = readSidecar(sidecarFile, t);
  let sink: ResumableSink | null = null;
  if (side && side.kept > 0) {
    try {
      sink = await t.resume(file, side.kept);
    } catch {
      side = null; // the kept prefix is bad or gone: start again
    }
  }
  const startOver = async (): Promise<ResumableSink> => {
    await sink?.abort();
    removeQuietly(file);
    removeQuietly(sidecarFile);
    side = null;
    return t.fresh(file);
  };
  if (!sink) sink = await startOver();
  let validator = side?.validator ?? null;
  let lastCheckpoint = sink.bytes;
  const checkpoint = async (): Promise<void> => {
    if (validator === null || sink!.bytes === lastCheckpoint) return;
    const kept = await sink!.checkpoint();
    writeSidecar(sidecarFile, { v: 1, path: t.path, sha256: t.sha256.toString('hex'), size: t.size, validator, kept });
    lastCheckpoint = kept;
  };
  let badContent = false;
  try {
    for (let attempt = 1; ; attempt++) {
      if (sink.bytes > 0 && validator === null) sink = await startOver();
      const offset = sink.bytes;
      try {
        await httpGet(t.url, {
          label: t.path,
          timeoutMs: ctx.timeoutMs,
          maxBytes: t.size,
          accept: offset > 0 ? [200, 206] : [200],
          headers: offset > 0 ? { range: `bytes=${offset}-`, 'if-range': validator! } : {},
          ...(ctx.signal ? { signal: ctx.signal } : {}),
          ...(ctx.minRate ? { minRate: ctx.minRate } : {}),
          onHead: async (h) => {
            if (h.status === 206) {
              const r = h.range;
              if (!r || r.start !== offset || r.end !== t.size - 1 || (r.total !== null && r.total !== t.size)) {
                throw new SyncError(`${t.path}: the server sent another range than bytes ${offset}-${t.size - 1}`);
              }
              return { exactBytes: t.size - offset };
            }
            // 200: the whole file (first request, or the file changed since the first response).
            if (sink!.bytes > 0) {
              sink = await startOver();
              lastCheckpoint = 0;
            }
            validator = validatorOf(h);
            return { exactBytes: t.size };
          },
          onChunk: (c) => {
            ctx.onBytes?.(c.length);
            try {
              const pending = sink!.write(c);
              if (pending) return pending.then(() => (sink!.bytes - lastCheckpoint >= CHECKPOINT_BYTES ? checkpoint() : undefined));
            } catch (err) {
              badContent = true;
              throw err;
            }
            return sink!.bytes - lastCheckpoint >= CHECKPOINT_BYTES ? checkpoint() : undefined;
          },
          onProgress: (_done, _total) => ctx.progress(t.path, sink!.bytes, t.size),
        });
        return { sink, file, sidecar: sidecarFile };
      } catch (err) {
        if (badContent || !(err instanceof SyncError)) throw err;
        await checkpoint().catch(() => undefined);
        const progressed = sink.bytes > offset;
        const retry = progressed && attempt < MAX_ATTEMPTS && !ctx.signal?.aborted && !/too slow/.test(err.message) && validator !== null;
        if (!retry) throw err;
      }
    }
  } catch (err) {
    await sink?.abort();
    // Bad content never becomes good; bytes without a validator cannot be resumed safely.
    if (badContent || validator === null) {
      removeQuietly(file);
      removeQuietly(sidecarFile);
    }
    throw err;
  }
}

/** After the body proved good: the partial file becomes `final` (durably), its sidecar goes. */
export function promotePartial(file: string, sidecar: string, final: string, dir: string): void {
  renameSync(file, final);
  removeQuietly(sidecar);
  fsyncDir(dir);
}
