/**
 * One device's network link to the station, played on loopback: a TCP relay in front of a
 * nats-server member that can be cut (every connection dropped, new ones refused: the cable
 * pulled), stalled (connections stay open, bytes are held, then delivered on restore: a switch
 * that hangs), slowed (every byte delivered `ms` late, in order: a long link) and restored. Used by the tests and the benchmark to fail one device's link while the
 * rest of the station goes on.
 * @module
 */
import { createServer, connect, type Server, type Socket } from 'node:net';

export class LinkProxy {
  private server: Server | null = null;
  private readonly pairs = new Set<{ a: Socket; b: Socket; held: [Socket, Buffer][] }>();
  private stalled = false;
  private delayMs = 0;

  private constructor(
    readonly port: number,
    private readonly target: { host: string; port: number },
  ) {}

  /** Listens on a free port of 127.0.0.1 and relays to `target`. */
  static async start(target: { host: string; port: number }, port = 0): Promise<LinkProxy> {
    const p = new LinkProxy(port, target);
    await p.listen(port);
    return p;
  }

  get address(): string {
    return `127.0.0.1:${this.port}`;
  }

  /** Holds every byte from now on, both ways, until `restore`. */
  stall(): void {
    this.stalled = true;
  }

  /** Delivers every byte from now on `ms` late each way, in order (0: at once again). */
  delay(ms: number): void {
    this.delayMs = Math.max(0, Math.min(ms, 60_000));
  }

  /** Drops every connection and refuses new ones. */
  async cut(): Promise<void> {
    for (const { a, b } of this.pairs) {
      a.destroy();
      b.destroy();
    }
    this.pairs.clear();
    const s = this.server;
    this.server = null;
    if (s) await new Promise<void>((r) => s.close(() => r()));
  }

  /** Lets bytes flow again (after a stall) and accepts connections again (after a cut). */
  async restore(): Promise<void> {
    this.stalled = false;
    for (const pair of this.pairs) {
      for (const [to, d] of pair.held) to.write(d);
      pair.held = [];
    }
    if (!this.server) await this.listen(this.port);
  }

  async close(): Promise<void> {
    await this.cut();
  }

  private listen(port: number): Promise<void> {
    const server = createServer((a) => {
      const b = connect(this.target.port, this.target.host);
      const pair = { a, b, held: [] as [Socket, Buffer][] };
      this.pairs.add(pair);
      const end = () => {
        this.pairs.delete(pair);
        a.destroy();
        b.destroy();
      };
      a.on('error', end).on('close', end);
      b.on('error', end).on('close', end);
      const relay = (from: Socket, to: Socket) =>
        from.on('data', (d: Buffer) => {
          if (this.stalled) pair.held.push([to, d]);
          else if (this.delayMs > 0) setTimeout(() => to.destroyed || to.write(d), this.delayMs);
          else to.write(d);
        });
      relay(a, b);
      relay(b, a);
    });
    this.server = server;
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        const addr = server.address();
        if (typeof addr === 'object' && addr) (this as { port: number }).port = addr.port;
        resolve();
      });
    });
  }
}
