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
 *
 * While the appliance waits for an operator's decision (docs/DESIGN.md, "Operator actions") the
 * page shows confirm and refuse buttons, and only then. A press is a POST to `/action`, guarded
 * by action-guard.ts (loopback peer, Host, Origin, the page's own token), and handed to
 * `onAction`; the appliance answers through `publishDecision` and `publishDecisionOutcome`.
 * @module
 */
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { MAX_ACTION_BODY, PageTokens, refuseAction, refuseClear } from './action-guard.js';
import { newKioskSecret } from './kiosk-secret.js';
import { decisionOutcomeView, decisionView, type DecisionAction, type DecisionOutcomeView, type DecisionView, type ScreenDecision } from './decision-view.js';
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
  /**
   * A confirm or refuse pressed on the page for scan `scanId`: `done` when it answered the
   * decision pending, `stale` when that decision is no longer pending (answered or replaced).
   */
  /** The per-boot kiosk secret (kiosk-secret.ts) that `/action` and `/clear` require; default: a fresh one (see `kioskUrl`). */
  kioskSecret?: string;
  /** Told once per refused `/action` or `/clear`: the path, why, and the peer (never the secret). */
  onRefused?: (refusal: ScreenRefusal) => void;
  onAction?: (request: ScreenActionRequest) => Promise<'done' | 'stale'> | 'done' | 'stale';
}

export interface ScreenActionRequest {
  scanId: string;
  action: DecisionAction;
}

export interface ScreenRefusal {
  path: '/action' | '/clear';
  reason: string;
  peer: string;
  port: number;
}

const MAX_URL_CHARS = 2048;
const ACTIONS: ReadonlySet<string> = new Set(['confirm', 'refuse']);
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
  private rawStatus: ScreenStatus | null = null;
  private decision: DecisionView | null = null;
  private readonly tokens: PageTokens;
  private readonly kioskSecret: string;

  constructor(private readonly opts: ScreenServerOptions) {
    this.assets = StaticAssets.load(opts.publicDir ?? SCREEN_PUBLIC_DIR);
    this.hub = new SseHub({ maxClients: opts.maxClients ?? 8, heartbeatMs: opts.heartbeatMs ?? 15_000, maxBacklogBytes: 256 * 1024 });
    this.tokens = new PageTokens(2 * (opts.maxClients ?? 8));
    this.clearAfterMs = opts.clearAfterMs ?? opts.clearAfterSec * 1000;
    this.kioskSecret = opts.kioskSecret ?? newKioskSecret();
  }

  /** The page's address with the kiosk secret in its fragment, as scripts/deploy/kiosk.sh opens it. */
  get kioskUrl(): string | null {
    return this.address ? `${this.address.url}#k=${this.kioskSecret}` : null;
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
        reject(Object.assign(new Error(`operator screen cannot listen on ${this.opts.host}:${this.opts.port} (${err.code ?? err.message})`), { code: err.code }));
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
    // The reasons say "never synced" exactly when the strip does.
    const listNeverSynced = meta.listNeverSynced ?? (this.rawStatus !== null && this.rawStatus.listAgeSec === null);
    const view = buildScanView(result, { ...meta, listNeverSynced }, this.seq, this.opts.lang);
    // A new scan ends whatever decision the previous one was waiting for.
    this.decision = null;
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
    this.rawStatus = state;
    const view = buildStatusView(state, this.opts.lang);
    if (this.status && JSON.stringify(this.status) === JSON.stringify(view)) return;
    this.status = view;
    this.broadcast({ event: 'status', data: view });
  }

  /**
   * Shows the confirm and refuse buttons for scan `d.scanId`, or hides them (null). Call it after
   * `publishScan` of that scan: a new scan hides them by itself.
   */
  publishDecision(d: ScreenDecision | null): void {
    const view = d ? decisionView(d, this.opts.lang) : null;
    this.decision = view;
    this.broadcast({ event: 'decision', data: view });
  }

  /** Hides the buttons and says in one line what the decision did (a boarding undone, a voucher recorded...). */
  publishDecisionOutcome(scanId: string, result: string): void {
    if (this.decision?.scanId === scanId) this.decision = null;
    const view: DecisionOutcomeView = decisionOutcomeView(scanId, result, this.opts.lang);
    this.broadcast({ event: 'decision', data: null });
    this.broadcast({ event: 'outcome', data: view });
  }

  /** The decision whose buttons are showing, if any. */
  get pendingDecision(): DecisionView | null {
    return this.decision;
  }

  /** Forgets the current scan's fields (timer, or the page's Clear button); `seq` guards against a newer scan. */
  clearCurrent(seq?: number): void {
    if (!this.current || (seq !== undefined && seq !== this.current.view.seq)) return;
    clearTimeout(this.current.timer);
    const cleared = this.current.view.seq;
    this.current = null;
    // The personal fields are gone, so nothing is left to compare the ID with.
    this.decision = null;
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
  private initialEvents(token: string): SseEvent[] {
    const events: SseEvent[] = [{ event: 'hello', data: { ...screenText(this.opts.lang), clearAfterMs: this.clearAfterMs, historySize: this.opts.history, token } }];
    if (this.status) events.push({ event: 'status', data: this.status });
    events.push({ event: 'history', data: this.history });
    if (this.current) {
      events.push({ event: 'scan', data: { ...this.current.view, clearInMs: Math.max(0, this.current.clearAt - Date.now()) } });
      if (this.decision) events.push({ event: 'decision', data: this.decision });
    }
    return events;
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const url = req.url ?? '/';
    if (url.length > MAX_URL_CHARS) return this.plain(res, 414, 'URI too long');
    if (!this.address || !hostAllowed(req, this.opts.host, this.address.port)) return this.plain(res, 403, 'forbidden host');
    const path = url.split('?', 1)[0]!;
    if (path === '/events' && req.method === 'GET') {
      const token = this.tokens.issue();
      res.on('close', () => this.tokens.revoke(token));
      this.hub.accept(req, res, this.initialEvents(token));
      return;
    }
    if (path === '/action') {
      if (req.method !== 'POST') return this.plain(res, 405, 'method not allowed');
      this.handleAction(req, res);
      return;
    }
    if (path === '/clear' && req.method === 'POST') {
      req.resume();
      // Guarded as an action: a custom header forces a CORS preflight, so no other web page can
      // clear the screen; the page's token and the kiosk secret keep every other local process out.
      const refusal = refuseClear(req, this.address?.port ?? -1, this.tokens, this.kioskSecret);
      if (refusal !== null) return this.refuse(req, res, '/clear', refusal);
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

  /** POST /action: guarded, bounded, then handed to `onAction`. */
  private handleAction(req: IncomingMessage, res: ServerResponse): void {
    const refusal = refuseAction(req, this.address?.port ?? -1, this.tokens, this.kioskSecret);
    if (refusal !== null) {
      req.resume();
      if (refusal === 'type') return this.plain(res, 415, `forbidden (${refusal})`);
      return this.refuse(req, res, '/action', refusal);
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_ACTION_BODY) over = true;
      else chunks.push(chunk);
    });
    req.on('error', () => res.destroy());
    req.on('end', () => {
      if (over) return this.plain(res, 413, 'too large');
      let body: unknown;
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      } catch {
        return this.plain(res, 400, 'not JSON');
      }
      const b = body as { scanId?: unknown; action?: unknown } | null;
      if (!b || typeof b.scanId !== 'string' || typeof b.action !== 'string' || !ACTIONS.has(b.action)) {
        return this.plain(res, 400, 'expected {"scanId": ..., "action": "confirm" | "refuse"}');
      }
      const request: ScreenActionRequest = { scanId: b.scanId.slice(0, 64), action: b.action as DecisionAction };
      if (!this.decision || this.decision.scanId !== request.scanId || !this.opts.onAction) return this.plain(res, 409, 'no such decision pending');
      Promise.resolve()
        .then(() => this.opts.onAction!(request))
        .then(
          (answer) => (answer === 'done' ? this.noContent(res) : this.plain(res, 409, 'no such decision pending')),
          (err: unknown) => {
            this.opts.onError?.(err instanceof Error ? err : new Error(String(err)));
            this.plain(res, 500, 'action failed');
          },
        );
    });
  }

  /** 403, told to `onRefused` once with the peer's address and port. */
  private refuse(req: IncomingMessage, res: ServerResponse, path: ScreenRefusal['path'], reason: string): void {
    this.opts.onRefused?.({ path, reason, peer: req.socket.remoteAddress ?? '?', port: req.socket.remotePort ?? 0 });
    this.plain(res, 403, `forbidden (${reason})`);
  }

  private noContent(res: ServerResponse): void {
    res.writeHead(204, SECURITY_HEADERS);
    res.end();
  }

  private plain(res: ServerResponse, status: number, text: string): void {
    res.writeHead(status, { ...SECURITY_HEADERS, 'content-type': 'text/plain; charset=utf-8' });
    res.end(`${text}\n`);
  }
}
