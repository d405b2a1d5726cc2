/**
 * One JSON POST to the audit collector over node:https (or node:http for a loopback collector),
 * with a private CA when the collector uses one, a hard timeout, no redirects and a bounded reply.
 * A device identifies itself with a TLS client certificate when it has one (its key and certificate
 * from the configuration): the collector then knows which device posts, not only what it posts.
 * node:https rather than fetch: Node 20's fetch cannot take a CA without a separate agent package.
 * @module
 */
import http from 'node:http';
import https from 'node:https';
import { oneLine } from '../core/text-safety.js';

export interface PostOptions {
  /** PEM certificate(s) of the CA that signed the collector's certificate. */
  ca?: string | Buffer;
  /** This device's TLS client certificate and its key (PEM): the collector knows the device by it. */
  cert?: string | Buffer;
  key?: string | Buffer;
  /** The whole exchange must finish within this time. */
  timeoutMs: number;
  signal?: AbortSignal;
  /** Larger replies are refused (default 64 KiB). */
  maxResponseBytes?: number;
}

export interface PostReply {
  status: number;
  /** The parsed JSON reply, or undefined when it was not JSON. */
  body: unknown;
}

/** A failed exchange; `message` is one line, safe to log. */
export class UploadError extends Error {
  override readonly name = 'UploadError';
}

export function postJson(url: string, payload: unknown, opts: PostOptions): Promise<PostReply> {
  const target = new URL(url);
  const body = Buffer.from(JSON.stringify(payload), 'utf8');
  const maxBytes = opts.maxResponseBytes ?? 64 * 1024;
  const request = target.protocol === 'https:' ? https.request : http.request;
  return new Promise<PostReply>((resolve, reject) => {
    let settled = false;
    const finish = (err: Error | null, reply?: PostReply): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      opts.signal?.removeEventListener('abort', onAbort);
      if (err) {
        req.destroy();
        reject(err);
      } else resolve(reply!);
    };
    const req = request(target, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-length': body.length, accept: 'application/json' },
      ...(opts.ca ? { ca: opts.ca } : {}),
      ...(opts.cert && opts.key ? { cert: opts.cert, key: opts.key } : {}),
    });
    const timer = setTimeout(() => finish(new UploadError(`no answer within ${opts.timeoutMs} ms`)), opts.timeoutMs);
    const onAbort = (): void => finish(new UploadError('stopped'));
    if (opts.signal?.aborted) return onAbort();
    opts.signal?.addEventListener('abort', onAbort);
    req.on('error', (err: NodeJS.ErrnoException) => finish(new UploadError(oneLine(err.code ?? err.message))));
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > maxBytes) finish(new UploadError(`reply larger than ${maxBytes} bytes`));
        else chunks.push(chunk);
      });
      res.on('error', (err) => finish(new UploadError(oneLine(err.message))));
      res.on('end', () => {
        let parsed: unknown;
        try {
          parsed = JSON.parse(Buffer.concat(chunks).toString('utf8'));
        } catch {
          parsed = undefined;
        }
        finish(null, { status: res.statusCode ?? 0, body: parsed });
      });
    });
    req.end(body);
  });
}
