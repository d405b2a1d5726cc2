/**
 * A minimal Server-Sent Events reader over node:http, so the server tests see the raw stream the
 * way a browser would (and can set headers a browser would not, such as a foreign Host).
 * @module
 */
import { request, type IncomingMessage } from 'node:http';

export interface ReceivedEvent {
  event: string;
  data: unknown;
}

export class SseClient {
  readonly events: ReceivedEvent[] = [];
  private buffer = '';
  private waiters: Array<() => void> = [];
  private ended = false;

  private constructor(readonly response: IncomingMessage) {
    response.setEncoding('utf8');
    response.on('data', (chunk: string) => {
      this.buffer += chunk;
      let cut: number;
      while ((cut = this.buffer.indexOf('\n\n')) >= 0) {
        const block = this.buffer.slice(0, cut);
        this.buffer = this.buffer.slice(cut + 2);
        const name = /^event: (.*)$/m.exec(block)?.[1];
        const data = /^data: (.*)$/m.exec(block)?.[1];
        if (name !== undefined && data !== undefined) this.events.push({ event: name, data: JSON.parse(data) });
      }
      this.wake();
    });
    response.on('end', () => {
      this.ended = true;
      this.wake();
    });
    response.on('error', () => undefined);
  }

  /** Opens `/events`; resolves with the client once the response headers arrived. */
  static open(url: string, headers: Record<string, string> = {}): Promise<SseClient> {
    return new Promise((resolve, reject) => {
      const req = request(new URL('/events', url), { headers });
      req.on('response', (res) => resolve(new SseClient(res)));
      req.on('error', reject);
      req.end();
    });
  }

  get status(): number {
    return this.response.statusCode ?? 0;
  }

  get isEnded(): boolean {
    return this.ended;
  }

  /** Waits for the `n`-th (1-based) event of that name since the stream opened. */
  async nth(name: string, n = 1, timeoutMs = 5000): Promise<unknown> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.events.filter((e) => e.event === name)[n - 1];
      if (found) return found.data;
      if (this.ended) throw new Error(`stream ended before event ${name} #${n}`);
      if (Date.now() > deadline) throw new Error(`no event ${name} #${n} within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, Math.max(1, deadline - Date.now()));
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  count(name: string): number {
    return this.events.filter((e) => e.event === name).length;
  }

  /** Resolves when the server ends the stream. */
  async end(timeoutMs = 5000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!this.ended) {
      if (Date.now() > deadline) throw new Error('stream did not end');
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, 50);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  close(): void {
    this.response.destroy();
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    w.forEach((f) => f());
  }
}

/** One plain HTTP exchange with full control over the request headers. */
export function httpExchange(
  url: string,
  opts: { method?: string; path?: string; headers?: Record<string, string> } = {},
): Promise<{ status: number; headers: IncomingMessage['headers']; body: string }> {
  return new Promise((resolve, reject) => {
    const base = new URL(url);
    const req = request({ host: base.hostname, port: base.port, method: opts.method ?? 'GET', path: opts.path ?? '/', headers: opts.headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}
