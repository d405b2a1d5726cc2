/**
 * What every local HTTP server of the appliance (the operator screen, the health endpoint) needs
 * to hold under abuse from another process on the same device: bounded time for a request to
 * arrive, bounded sockets, and the DNS-rebinding defence on a loopback binding.
 *
 * Node's defaults let a client hold a connection for about a minute by sending its headers a byte
 * at a time, and check those timeouts only every 30 s; the screen must serve its kiosk page again
 * within seconds. A web page elsewhere can make the browser send requests to 127.0.0.1 under a
 * name it controls (DNS rebinding): on a loopback binding, only loopback names are answered.
 * @module
 */
import { createServer, type IncomingMessage, type RequestListener, type Server } from 'node:http';

/** Time for a client to send its request headers, ms. */
export const HEADERS_TIMEOUT_MS = 5_000;
/** Time for a client to send its whole request, ms. */
export const REQUEST_TIMEOUT_MS = 10_000;
/** Idle time before a kept-alive connection is closed, ms. */
export const KEEP_ALIVE_TIMEOUT_MS = 5_000;
/** How often those timeouts are enforced, ms. */
export const TIMEOUT_CHECK_MS = 1_000;
/** Sockets open at once; far above the slow clients a local process can hold within the timeouts. */
export const MAX_CONNECTIONS = 512;

const LOOPBACK_HOSTS: ReadonlySet<string> = new Set(['127.0.0.1', 'localhost', '::1', '[::1]']);

/** An HTTP server with the appliance's timeouts and limits. */
export function createLocalServer(handler: RequestListener): Server {
  const server = createServer(
    {
      headersTimeout: HEADERS_TIMEOUT_MS,
      requestTimeout: REQUEST_TIMEOUT_MS,
      keepAliveTimeout: KEEP_ALIVE_TIMEOUT_MS,
      connectionsCheckingInterval: TIMEOUT_CHECK_MS,
      maxHeaderSize: 8 * 1024,
    },
    handler,
  );
  server.maxHeadersCount = 50;
  server.maxConnections = MAX_CONNECTIONS;
  // A malformed or timed-out request: drop the socket, never crash or log per byte.
  server.on('clientError', (_err, socket) => socket.destroy());
  return server;
}

/** True for the names of the loopback interface, the only ones a loopback binding answers. */
export function isLoopbackHost(host: string): boolean {
  return LOOPBACK_HOSTS.has(host);
}

/**
 * The DNS-rebinding check: when the server is bound to loopback, the request's Host header must
 * name a loopback address and the server's own port. Servers bound elsewhere accept any Host.
 */
export function hostAllowed(req: IncomingMessage, bindHost: string, port: number): boolean {
  if (!isLoopbackHost(bindHost)) return true;
  const header = req.headers.host;
  if (!header) return false;
  const m = /^(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(header.toLowerCase());
  return m !== null && LOOPBACK_HOSTS.has(m[1]!) && Number(m[2] ?? 80) === port;
}
