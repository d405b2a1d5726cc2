/**
 * Who may press the operator screen's confirm and refuse buttons: the page on this device, and
 * nothing else. An action spends or frees a ticket, so the endpoint is guarded four ways, each of
 * which alone stops a different attacker:
 *
 * - the peer is a loopback address (nobody on the station network, even if the page is bound wider);
 * - the Host header names the loopback address and our port (DNS rebinding);
 * - the Origin header is exactly the page's own origin (a cross-site form or fetch from any other
 *   page the kiosk browser may have open);
 * - the request carries the token the server gave this page over its event stream, which no
 *   other origin can read (a same-site page elsewhere on the device, a replayed request).
 * - the request carries the per-boot kiosk secret (kiosk-secret.ts), which only the kiosk user can
 *   read: a local process that reads the event stream and forges Origin still has no secret.
 * The body must be JSON (a cross-site request with that type needs a preflight we never grant).
 * @module
 */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { KIOSK_SECRET_HEADER, kioskSecretMatches } from './kiosk-secret.js';

export const LOOPBACK_NAMES: ReadonlySet<string> = new Set(['127.0.0.1', 'localhost', '::1', '[::1]']);
export const ACTION_TOKEN_HEADER = 'x-roadscan-token';
export const MAX_ACTION_BODY = 512;

export type ActionRefusal = 'peer' | 'host' | 'origin' | 'token' | 'kiosk' | 'type';

/** A peer address on the loopback interface (IPv4 127/8, IPv6 ::1, or IPv4-mapped). */
export function isLoopbackPeer(address: string | undefined): boolean {
  if (!address) return false;
  const v4 = address.startsWith('::ffff:') ? address.slice(7) : address;
  return address === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(v4);
}

/** The host name and port of a Host header, or null when it is not one. */
export function parseHostHeader(header: string | undefined): { name: string; port: number } | null {
  if (!header || header.length > 300) return null;
  const m = /^(\[[0-9a-f:.]+\]|[a-z0-9.-]+)(?::(\d{1,5}))?$/.exec(header.toLowerCase());
  return m ? { name: m[1]!, port: Number(m[2] ?? 80) } : null;
}

/** Tokens handed to the pages connected now: one per event stream, dropped when it closes. */
export class PageTokens {
  private readonly live = new Set<string>();

  constructor(private readonly max: number) {}

  /** A fresh token for a page that just connected; past `max`, the oldest token is dropped (its page was let go). */
  issue(): string {
    while (this.live.size >= Math.max(1, this.max)) this.live.delete(this.live.values().next().value as string);
    const token = randomBytes(16).toString('hex');
    this.live.add(token);
    return token;
  }

  revoke(token: string): void {
    this.live.delete(token);
  }

  has(token: unknown): boolean {
    return typeof token === 'string' && token.length === 32 && this.live.has(token);
  }

  get size(): number {
    return this.live.size;
  }
}

/** Why an action request is refused, or null when it may go on (the body is read afterwards). */
export function refuseAction(req: IncomingMessage, port: number, tokens: PageTokens, kioskSecret: string): ActionRefusal | null {
  if (!isLoopbackPeer(req.socket.remoteAddress)) return 'peer';
  const host = parseHostHeader(req.headers.host);
  if (!host || !LOOPBACK_NAMES.has(host.name) || host.port !== port) return 'host';
  if (req.headers.origin !== `http://${req.headers.host!.toLowerCase()}`) return 'origin';
  if (!tokens.has(req.headers[ACTION_TOKEN_HEADER])) return 'token';
  if (!kioskSecretMatches(kioskSecret, req.headers[KIOSK_SECRET_HEADER])) return 'kiosk';
  if ((req.headers['content-type'] ?? '').split(';', 1)[0]!.trim().toLowerCase() !== 'application/json') return 'type';
  return null;
}

/**
 * Why a clear request is refused, or null: the same guard as an action (loopback peer, Host, the
 * page's Origin and stream token, the kiosk secret) plus the page's custom header (a preflight no
 * other page gets).
 */
export function refuseClear(req: IncomingMessage, port: number, tokens: PageTokens, kioskSecret: string): 'header' | ActionRefusal | null {
  if (req.headers['x-roadscan-screen'] !== 'clear') return 'header';
  const refusal = refuseAction(req, port, tokens, kioskSecret);
  return refusal === 'type' ? null : refusal;
}
