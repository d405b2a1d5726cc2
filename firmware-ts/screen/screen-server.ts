/**
 * The operator screen: a small local web server that the kiosk browser shows full screen.
 *
 * The service pushes each verdict and every change of its own state here; the server turns them
 * into display text (screen-view.ts) and streams them to the page over Server-Sent Events. It
 * keeps just enough state for a page that (re)connects: the status strip, the last few verdicts
 * without personal data, and the current scan until its personal fields expire. When they expire
 * the server forgets them as well, so a reload cannot bring them back.
 *
 * The page shows personal data, so the server defends the loopback binding against DNS rebinding
 * (the Host header must name the loopback address) and serves a strict Content-Security-Policy.
 * Another local process must not be able to take the kiosk page away: requests that arrive slowly
 * are cut off within seconds (http/local-server.ts), and when more pages watch than allowed the
 * newest one wins and the oldest is let go (sse-hub.ts), so a kiosk that reconnects always gets in.
 * @module
 */
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { screenText, type ScreenLang } from './screen-text.js';
import {
  buildScanView,
  buildStatusView,
  historyEntryOf,
  type HistoryEntry,
  type ScanMeta,
  type ScanView,
  type ScreenScan,
  type ScreenStatus,
  type StatusView,
} from './screen-view.js';
import { createLocalServer, hostAllowed } from '../http/local-server.js';
import { SseHub, type SseEvent } from './sse-hub.js';
import { StaticAssets, SCREEN_PUBLIC_DIR } from './static-assets.js';

export interface ScreenServerOptions {
  /** Address to listen on (config `screen.host`). */
  host: string;
  /** Port (config `screen.port`); 0 picks a free one. */
  port: number;
  lang: ScreenLang;
  /** Seconds before the current scan's personal fields are cleared (config `screen.clearAfterSec`). */
  clearAfterSec: number;
  /** Number of recent verdicts listed (config `screen.history`). */
  history: number;
  /** Overrides `clearAfterSec` with finer resolution (tests, benchmarks). */
  clearAfterMs?: number;
  /** Pages that may watch at once (default 8); one more replaces the oldest. */
  maxClients?: number;
  /** Keep-alive comment interval on idle streams, ms (default 15 000). */
  heartbeatMs?: number;
  /** Folder of the page's files (default: the package's `firmware-ts/screen/public`). */
  publicDir?: string;
  /** Told about server errors after start (the service logs them); the screen keeps running. */
  onError?: (err: Error) => void;
}

const MAX_URL_CHARS = 2048;
const SECURITY_HEADERS = {
  'content-security-policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
} as const;

interface CurrentScan {
  view: ScanView;
  clearAt: number;
  timer: NodeJS.Timeout;
}

export class ScreenServer {
  private readonly assets: StaticAssets;
  private readonly hub: SseHub;
  private readonly clearAfterMs: number;
  private server: Server | null = null;
  private address: { url: string; port: number } | null = null;
  private seq = 0;
  private current: CurrentScan | null = null;
  private history: HistoryEntry[] = [];
  private status: StatusView | null = null;

  constructor(private readonly opts: ScreenServerOptions) {
    this.assets = StaticAssets.load(opts.publicDir ?? SCREEN_PUBLIC_DIR);
    this.hub = new SseHub({ maxClients: opts.maxClients ?? 8, heartbeatMs: opts.heartbeatMs ?? 15_000, maxBacklogBytes: 256 * 1024 });
    this.clearAfterMs = opts.clearAfterMs ?? opts.clearAfterSec * 1000;
  }

  /** The page's address once started. */
  get url(): string | null {
    return this.address?.url ?? null;
  }

  /** Pages connected right now. */
  get clients(): number {
    return this.hub.size;
  }

  async start(): Promise<{ url: string }> {
    if (this.address) return { url: this.address.url };
    const server = createLocalServer((req, res) => this.handle(req, res));
    await new Promise<void>((resolve, reject) => {
      server.once('error', (err: NodeJS.ErrnoException) => {
        reject(new Error(`operator screen cannot listen on ${this.opts.host}:${this.opts.port} (${err.code ?? err.message})`));
      });
      server.listen(this.opts.port, this.opts.host, () => {
        server.removeAllListeners('error');
        // A failing screen must never take the scanning service down with it.
        server.on('error', (err) => this.opts.onError?.(err));
        resolve();
      });
    });
    this.server = server;
    const { port } = server.address() as AddressInfo;
    const host = this.opts.host.includes(':') ? `[${this.opts.host}]` : this.opts.host;
    this.address = { url: `http://${host}:${port}/`, port };
    return { url: this.address.url };
  }

  /** Shows a verdict now; its personal fields clear themselves after the configured time. */
  publishScan(result: ScreenScan, meta: ScanMeta): void {
    this.seq += 1;
    const view = buildScanView(result, meta, this.seq, this.opts.lang);
    if (this.current) clearTimeout(this.current.timer);
    const timer = setTimeout(() => this.clearCurrent(view.seq), this.clearAfterMs);
    timer.unref();
    this.current = { view, clearAt: Date.now() + this.clearAfterMs, timer };
    this.broadcast({ event: 'scan', data: { ...view, clearInMs: this.clearAfterMs } });
    if (this.opts.history > 0) {
      this.history = [historyEntryOf(view), ...this.history].slice(0, this.opts.history);
      this.broadcast({ event: 'history', data: this.history });
    }
  }

  /** Updates the status strip; repeated identical states are not re-sent. */
  publishStatus(state: ScreenStatus): void {
    const view = buildStatusView(state, this.opts.lang);
    if (this.status && JSON.stringify(this.status) === JSON.stringify(view)) return;
    this.status = view;
    this.broadcast({ event: 'status', data: view });
  }

  /** Forgets the current scan's fields (timer, or the page's Clear button); `seq` guards against a newer scan. */
  clearCurrent(seq?: number): void {
    if (!this.current || (seq !== undefined && seq !== this.current.view.seq)) return;
    clearTimeout(this.current.timer);
    const cleared = this.current.view.seq;
    this.current = null;
    this.broadcast({ event: 'clear', data: { seq: cleared } });
  }

  async stop(): Promise<void> {
    if (this.current) clearTimeout(this.current.timer);
    this.current = null;
    this.hub.close();
    const server = this.server;
    this.server = null;
    this.address = null;
    if (!server) return;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  }

  private broadcast(e: SseEvent): void {
    if (this.server) this.hub.broadcast(e);
  }

  /** What a page that just connected needs to show the same thing as every other page. */
  private initialEvents(): SseEvent[] {
    const events: SseEvent[] = [
      { event: 'hello', data: { ...screenText(this.opts.lang), clearAfterMs: this.clearAfterMs, historySize: this.opts.history } },
    ];
    if (this.status) events.push({ event: 'status', data: this.status });
    events.push({ event: 'history', data: this.history });
    if (this.current) {
      events.push({ event: 'scan', data: { ...this.current.view, clearInMs: Math.max(0, this.current.clearAt - Date.now()) } });
    }
    return events;
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const url = req.url ?? '/';
    if (url.length > MAX_URL_CHARS) return this.plain(res, 414, 'URI too long');
    if (!this.address || !hostAllowed(req, this.opts.host, this.address.port)) return this.plain(res, 403, 'forbidden host');
    const path = url.split('?', 1)[0]!;
    if (path === '/events' && req.method === 'GET') {
      this.hub.accept(req, res, this.initialEvents());
      return;
    }
    if (path === '/clear' && req.method === 'POST') {
      req.resume();
      // A custom header forces a CORS preflight, so no other web page can clear the screen.
      if (req.headers['x-roadscan-screen'] !== 'clear') return this.plain(res, 403, 'forbidden');
      this.clearCurrent();
      res.writeHead(204, SECURITY_HEADERS);
      res.end();
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') return this.plain(res, 405, 'method not allowed');
    const asset = this.assets.get(path);
    if (!asset) return this.plain(res, 404, 'not found');
    res.writeHead(200, {
      ...SECURITY_HEADERS,
      'content-type': asset.contentType,
      'content-length': asset.body.length,
      'cache-control': 'no-cache',
    });
    res.end(req.method === 'HEAD' ? undefined : asset.body);
  }

  private plain(res: ServerResponse, status: number, text: string): void {
    res.writeHead(status, { ...SECURITY_HEADERS, 'content-type': 'text/plain; charset=utf-8' });
    res.end(`${text}\n`);
  }
}
