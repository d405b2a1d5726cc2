/**
 * One bounded HTTP GET, streamed chunk by chunk to a consumer: the sync never holds a body
 * whole, never reads past the size the manifest promised, and gives up when the network goes
 * quiet. Every failure becomes a SyncError whose message says in one line what happened
 * (refused, unknown host, HTTP status, timeout, truncated or oversized body).
 *
 * A mobile link also trickles: besides the idle timeout, a floor on the transfer rate (bytes
 * over any window, docs/STATUS-LIST.md "Downloads over a network that comes and goes") cuts a server
 * that drips a byte now and then, and an AbortSignal ends any request at once (the service's
 * stop never waits on the network). Conditional and range requests (If-None-Match, Range with
 * If-Range) are the caller's headers; `onHead` sees the answer before the body and says how long
 * that body must be.
 *
 * node:http rather than fetch: its socket pauses while the consumer writes to disk (real
 * backpressure), which keeps the sync's memory flat; fetch (undici) measured 20 to 40 MB more
 * peak RSS on a 170 MB snapshot.
 * @module
 */
import http from 'node:http';
import https from 'node:https';
import { oneLine } from '../../core/text-safety.js';
import { SyncError } from './sync-error.js';

export interface HttpGetOptions {
  /** Name for messages (the file's path). */
  label: string;
  /** Give up when no response or no byte arrives for this long. */
  timeoutMs: number;
  /** Refuse a body longer than this. */
  maxBytes: number;
  /** When known (a file the manifest describes), the body must be exactly this long. */
  exactBytes?: number;
  /** Receives each chunk in order; may return a promise (backpressure) or throw a SyncError. */
  onChunk(chunk: Buffer): void | Promise<void>;
  /** Bytes received so far and the expected total when known. */
  onProgress?(received: number, total: number | null): void;
  /** Extra request headers (Range, If-Range, If-None-Match). */
  headers?: Record<string, string>;
  /** Statuses taken as an answer (default only 200); any other is a failure. */
  accept?: readonly number[];
  /**
   * Sees the status and validators before the body; may throw a SyncError, and may fix the exact
   * body length (a 206 carries the rest of the file, not all of it).
   */
  onHead?(head: ResponseHead): { exactBytes?: number } | void | Promise<{ exactBytes?: number } | void>;
  /** Ends the request at once, as a SyncError "stopped". */
  signal?: AbortSignal;
  /** Cut a body that brings fewer than `bytesPerSec` x `windowMs` over any window of `windowMs`. */
  minRate?: MinRate;
}

export interface MinRate {
  bytesPerSec: number;
  windowMs: number;
}

/** What a response said before its body. */
export interface ResponseHead {
  status: number;
  etag: string | null;
  lastModified: string | null;
  /** Content-Range of a 206: first byte and the whole file's length (null when absent or unparsable). */
  range: { start: number; end: number; total: number | null } | null;
}

export interface HttpGetResult {
  status: number;
  /** Body bytes received. */
  received: number;
  head: ResponseHead;
}

const MAX_REDIRECTS = 5;

const NETWORK_CODES: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'host name lookup failed',
  ECONNRESET: 'connection reset',
  EPIPE: 'connection closed',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  ETIMEDOUT: 'connection timed out',
  ECONNABORTED: 'connection aborted',
  CERT_HAS_EXPIRED: 'TLS certificate expired',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'TLS certificate not trusted',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'TLS certificate not trusted',
  ERR_TLS_CERT_ALTNAME_INVALID: 'TLS certificate does not match the host',
};

function describe(err: unknown): string {
  const code = (err as NodeJS.ErrnoException)?.code;
  if (code && NETWORK_CODES[code]) return NETWORK_CODES[code]!;
  return oneLine((err as Error)?.message ?? String(err), 120);
}

/** Sends the request and resolves with the response (following a few redirects). */
function request(url: URL, opts: HttpGetOptions, seen: { timeout: SyncError | null }, redirects = 0): Promise<http.IncomingMessage> {
  return new Promise((resolve, reject) => {
    const mod = url.protocol === 'https:' ? https : http;
    // A fresh connection per file: a pooled one may have died with the server (a sync fetches a few files).
    const req = mod.get(url, {
      agent: false,
      headers: { 'cache-control': 'no-cache', accept: '*/*', 'accept-encoding': 'identity', ...opts.headers },
      ...(opts.signal ? { signal: opts.signal } : {}),
    });
    req.setTimeout(opts.timeoutMs, () => {
      seen.timeout = new SyncError(`${opts.label}: no data for ${opts.timeoutMs / 1000} s (timeout)`);
      req.destroy(seen.timeout);
    });
    // A server that drips its headers byte by byte never goes idle: the head has a deadline too.
    const headDeadline = setTimeout(() => {
      seen.timeout = new SyncError(`${opts.label}: no answer within ${(2 * opts.timeoutMs) / 1000} s (timeout)`);
      req.destroy(seen.timeout);
    }, 2 * opts.timeoutMs);
    headDeadline.unref();
    req.once('response', () => clearTimeout(headDeadline));
    req.once('close', () => clearTimeout(headDeadline));
    req.on('error', (err) => {
      if (opts.signal?.aborted) return reject(stopped(opts.label));
      reject(err instanceof SyncError ? err : new SyncError(`${opts.label}: ${describe(err)} (${url.host})`));
    });
    req.on('response', (res) => {
      const location = res.headers.location;
      if (res.statusCode && res.statusCode >= 300 && res.statusCode < 400 && location) {
        res.resume();
        if (redirects >= MAX_REDIRECTS) return reject(new SyncError(`${opts.label}: too many redirects`));
        let next: URL;
        try {
          next = new URL(location, url);
        } catch {
          return reject(new SyncError(`${opts.label}: bad redirect`));
        }
        if (next.protocol !== 'http:' && next.protocol !== 'https:') return reject(new SyncError(`${opts.label}: bad redirect`));
        request(next, opts, seen, redirects + 1).then(resolve, reject);
        return;
      }
      resolve(res);
    });
  });
}

function stopped(label: string): SyncError {
  return new SyncError(`${label}: stopped`);
}

function headOf(res: http.IncomingMessage): ResponseHead {
  const header = (name: string): string | null => {
    const v = res.headers[name];
    return typeof v === 'string' && v.length <= 256 ? v : null;
  };
  const cr = /^bytes (\d{1,15})-(\d{1,15})\/(\d{1,15}|\*)$/.exec(header('content-range') ?? '');
  return {
    status: res.statusCode ?? 0,
    etag: header('etag'),
    lastModified: header('last-modified'),
    range: cr ? { start: Number(cr[1]), end: Number(cr[2]), total: cr[3] === '*' ? null : Number(cr[3]) } : null,
  };
}

/**
 * Watches the bytes of one body against the floor rate: samples once a second, and cuts the
 * response when the last full window brought less than the floor.
 */
function watchRate(rate: MinRate | undefined, received: () => number, cut: (err: SyncError) => void, label: string): () => void {
  if (!rate || rate.bytesPerSec <= 0) return () => undefined;
  const start = Date.now();
  const samples: [number, number][] = [[start, 0]];
  const tickMs = Math.max(50, Math.min(1000, rate.windowMs / 10));
  const timer = setInterval(() => {
    const now = Date.now();
    samples.push([now, received()]);
    while (samples.length > 1 && samples[1]![0] <= now - rate.windowMs) samples.shift();
    const [t0, b0] = samples[0]!;
    if (now - start < rate.windowMs || now - t0 < rate.windowMs * 0.95) return;
    const got = received() - b0;
    const floor = (rate.bytesPerSec * (now - t0)) / 1000;
    if (got < floor) {
      const per = Math.round((got * 1000) / (now - t0));
      cut(new SyncError(`${label}: too slow (${per} B/s over ${Math.round((now - t0) / 1000)} s, the floor is ${rate.bytesPerSec} B/s)`));
    }
  }, tickMs);
  timer.unref();
  return () => clearInterval(timer);
}

/** GETs `url`, feeding the body to `onChunk`; resolves to what the answer was and its length. */
export async function httpGet(url: URL, opts: HttpGetOptions): Promise<HttpGetResult> {
  const fail = (msg: string): never => {
    throw new SyncError(`${opts.label}: ${msg}`);
  };
  if (opts.signal?.aborted) throw stopped(opts.label);
  const seen: { timeout: SyncError | null } = { timeout: null };
  const res = await request(url, opts, seen);
  let received = 0;
  let cutBy: SyncError | null = null;
  const unwatch = watchRate(
    opts.minRate,
    () => received,
    (err) => {
      cutBy = err;
      res.destroy(err);
    },
    opts.label,
  );
  try {
    const head = headOf(res);
    if (!(opts.accept ?? [200]).includes(head.status)) {
      fail(`HTTP ${res.statusCode}${res.statusMessage ? ` ${oneLine(res.statusMessage, 60)}` : ''}`);
    }
    const fixed = await opts.onHead?.(head);
    const exactBytes = fixed && fixed.exactBytes !== undefined ? fixed.exactBytes : opts.exactBytes;
    const lengthHeader = res.headers['content-length'];
    const announced = lengthHeader !== undefined && /^\d+$/.test(lengthHeader) ? Number(lengthHeader) : null;
    if (announced !== null && head.status !== 304) {
      if (exactBytes !== undefined && announced !== exactBytes) {
        fail(`server announces ${announced} bytes, the manifest says ${exactBytes}`);
      }
      if (announced > opts.maxBytes) fail(`body of ${announced} bytes is over the limit of ${opts.maxBytes}`);
    }
    if (head.status === 304) {
      res.resume();
      return { status: 304, received: 0, head };
    }
    const total = exactBytes ?? announced;
    const limit = exactBytes ?? opts.maxBytes;
    opts.onProgress?.(0, total);
    try {
      for await (const chunk of res as AsyncIterable<Buffer>) {
        received += chunk.length;
        if (received > limit) fail(`body longer than ${limit} bytes`);
        const pending = opts.onChunk(chunk);
        if (pending) await pending;
        opts.onProgress?.(received, total);
      }
    } catch (err) {
      if (err instanceof SyncError && err !== cutBy) throw err;
      if (opts.signal?.aborted) throw stopped(opts.label);
      if (cutBy) throw cutBy;
      if (seen.timeout) throw seen.timeout;
      fail(
        exactBytes !== undefined ? `truncated body (${received} of ${exactBytes} bytes: ${describe(err)})` : `transfer failed after ${received} bytes: ${describe(err)}`,
      );
    }
    if (opts.signal?.aborted) throw stopped(opts.label);
    if (cutBy) throw cutBy;
    if (seen.timeout) throw seen.timeout;
    if (!res.complete) fail(`truncated body (${received}${total !== null ? ` of ${total}` : ''} bytes: connection closed)`);
    if (exactBytes !== undefined && received !== exactBytes) {
      fail(`truncated body (${received} of ${exactBytes} bytes)`);
    }
    return { status: head.status, received, head };
  } finally {
    unwatch();
    if (!res.complete) res.destroy();
  }
}
