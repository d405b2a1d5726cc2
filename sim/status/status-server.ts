/**
 * Serves a published status-list folder over real HTTP, as any static web server or CDN would,
 * and misbehaves on request the ways networks do: a status code instead of the file, a body cut
 * off mid-way, a server that never answers, a body that is not what was asked for, a slow link.
 * Tests and `roadscan sim serve-status` use it; the scanner cannot tell it from nginx.
 * @module
 */
import { createReadStream, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { join, normalize, sep } from 'node:path';

export type Fault =
  /** Answer with this status code and a short HTML body. */
  | { kind: 'status'; code: number }
  /** Announce the full length, send `afterBytes` bytes, then drop the connection. */
  | { kind: 'truncate'; afterBytes: number }
  /** Accept the request and never answer. */
  | { kind: 'hang' }
  /** Answer 200 with this body instead of the file. */
  | { kind: 'body'; body: Uint8Array | string }
  /** Send the file slowly: this many bytes per 10 ms tick. */
  | { kind: 'slow'; bytesPerTick: number };

export class StatusServer {
  /** Faults by request path (e.g. `/manifest.cose`); they persist until cleared. */
  readonly faults = new Map<string, Fault>();
  /** Paths requested, in order. */
  readonly requests: string[] = [];
  private readonly sockets = new Set<Socket>();

  private constructor(
    private readonly server: Server,
    private readonly root: string,
    /** Base URL ending in `/`. */
    readonly url: string,
  ) {}

  static async start(root: string, port = 0, host = '127.0.0.1'): Promise<StatusServer> {
    let self: StatusServer | null = null;
    const server = createServer((req, res) => self!.handle(req, res));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => resolve());
    });
    const addr = server.address() as AddressInfo;
    self = new StatusServer(server, root, `http://${host}:${addr.port}/`);
    server.on('connection', (s) => {
      self!.sockets.add(s);
      s.on('close', () => self!.sockets.delete(s));
    });
    return self;
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    this.requests.push(path);
    const fault = this.faults.get(path);
    if (fault?.kind === 'hang') return;
    if (fault?.kind === 'status') {
      res.writeHead(fault.code, { 'content-type': 'text/html' }).end(`<html><body>${fault.code}</body></html>`);
      return;
    }
    if (fault?.kind === 'body') {
      res.writeHead(200, { 'content-type': 'text/html' }).end(fault.body);
      return;
    }
    const file = normalize(join(this.root, path));
    let size: number;
    try {
      if (!file.startsWith(normalize(this.root) + sep)) throw new Error('outside');
      const st = statSync(file);
      if (!st.isFile()) throw new Error('not a file');
      size = st.size;
    } catch {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': size });
    if (req.method === 'HEAD') {
      res.end();
      return;
    }
    if (fault?.kind === 'truncate') {
      const stream = createReadStream(file, { start: 0, end: Math.max(0, fault.afterBytes - 1) });
      stream.on('data', (c) => res.write(c));
      stream.on('end', () => setTimeout(() => res.destroy(), 20));
      return;
    }
    if (fault?.kind === 'slow') {
      const stream = createReadStream(file, { highWaterMark: fault.bytesPerTick });
      stream.on('data', (c) => {
        stream.pause();
        res.write(c);
        setTimeout(() => stream.resume(), 10);
      });
      stream.on('end', () => res.end());
      res.on('close', () => stream.destroy());
      return;
    }
    createReadStream(file, { highWaterMark: 1 << 20 }).pipe(res);
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
