/**
 * Server-Sent Events to the pages that watch the appliance.
 *
 * The set of clients is bounded, and a client that stops reading (a hung browser tab) is dropped
 * once its unsent backlog passes a limit, so no page can make the service hold memory without end.
 * When the set is full, the newest client wins: the oldest is told `bye` and let go. Refusing the
 * newcomer instead would let any local process lock the kiosk out by holding a few connections;
 * this way a kiosk page that (re)connects always gets in, and the one let go retries later.
 * Events are written with Nagle off: a verdict must reach the screen in the same blink as the LED.
 * @module
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

export interface SseHubOptions {
  /** Pages watching at once; one more replaces the oldest. */
  maxClients: number;
  /** Interval of the comment line that keeps idle connections (and proxies) alive, ms. */
  heartbeatMs: number;
  /** A client whose unsent backlog exceeds this many bytes is disconnected. */
  maxBacklogBytes: number;
}

/** One event: a name the page listens for and a JSON-serialisable payload. */
export interface SseEvent {
  event: string;
  data: unknown;
}

/** Encodes one event. JSON.stringify escapes line breaks, so the payload is always a single line. */
export function encodeEvent(e: SseEvent): string {
  return `event: ${e.event}\ndata: ${JSON.stringify(e.data)}\n\n`;
}

export class SseHub {
  private readonly clients = new Set<ServerResponse>();
  private readonly heartbeat: NodeJS.Timeout;
  private replaced = 0;

  constructor(private readonly opts: SseHubOptions) {
    this.heartbeat = setInterval(() => this.writeAll(': keep-alive\n\n'), opts.heartbeatMs);
    this.heartbeat.unref();
  }

  get size(): number {
    return this.clients.size;
  }

  /**
   * Takes over a request as an event stream and sends it `initial` (the state a new page needs).
   * When the hub is full, the oldest client is let go first.
   */
  accept(req: IncomingMessage, res: ServerResponse, initial: readonly SseEvent[]): void {
    while (this.clients.size >= Math.max(1, this.opts.maxClients)) {
      const oldest = this.clients.values().next().value as ServerResponse;
      this.clients.delete(oldest);
      this.replaced++;
      oldest.end(encodeEvent({ event: 'bye', data: { reason: 'replaced' } }));
      oldest.socket?.destroySoon();
    }
    req.socket.setNoDelay(true);
    req.socket.setTimeout(0);
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    this.clients.add(res);
    const drop = (): void => {
      this.clients.delete(res);
    };
    res.on('close', drop);
    res.on('error', drop);
    this.write(res, `retry: 1000\n\n${initial.map(encodeEvent).join('')}`);
  }

  /** Clients let go since start because a newer one took their place. */
  get replacedCount(): number {
    return this.replaced;
  }

  broadcast(e: SseEvent): void {
    this.writeAll(encodeEvent(e));
  }

  /** Ends every stream; pages reconnect on their own when the service comes back. */
  close(): void {
    clearInterval(this.heartbeat);
    for (const res of this.clients) res.end();
    this.clients.clear();
  }

  private writeAll(chunk: string): void {
    for (const res of this.clients) this.write(res, chunk);
  }

  private write(res: ServerResponse, chunk: string): void {
    if (res.writableLength > this.opts.maxBacklogBytes) {
      this.clients.delete(res);
      res.destroy();
      return;
    }
    res.write(chunk);
  }
}
