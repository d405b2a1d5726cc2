/**
 * A fault-injecting TCP proxy in front of a real web server, for tests of a mobile link: it cuts
 * every connection once the link has carried another N bytes toward the device, throttles to a
 * byte rate, or drips (a byte now and then, never quite silent), and it counts the bytes it
 * carried in each direction, so a test can prove how much a download really cost.
 *
 * It works on bytes, not HTTP: the web server's own ETag, Range and 304 handling pass through
 * untouched, which is the point (nginx, not our idea of a server, answers the device).
 * @module
 */
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

export interface FaultProxyOptions {
  /** Where the real server listens. */
  upstream: { host: string; port: number };
  /** Cut the connection carrying it each time the downstream total crosses another multiple of this. */
  cutEveryBytes?: number;
  /** Downstream rate limit in bytes per second (none by default). */
  bytesPerSec?: number;
  /**
   * How a cut ends the connection: `fin` closes it after the bytes counted so far (the device
   * gets every byte it was charged for, then a short body); `rst` resets it, and the kernel drops
   * what was still in the socket buffers (on loopback several MB: bytes charged, never received).
   */
  cutStyle?: 'fin' | 'rst';
}

export class FaultProxy {
  private readonly server: net.Server;
  private readonly sockets = new Set<net.Socket>();
  /** Bytes carried from the server to the device. */
  downstreamBytes = 0;
  /** Bytes carried from the device to the server. */
  upstreamBytes = 0;
  /** Connections accepted, and connections the proxy cut on purpose. */
  connections = 0;
  cuts = 0;
  private nextCut: number;

  constructor(private opts: FaultProxyOptions) {
    this.nextCut = opts.cutEveryBytes ?? Infinity;
    this.server = net.createServer((client) => this.accept(client));
  }

  async start(): Promise<{ port: number; url: string }> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(0, '127.0.0.1', () => resolve());
    });
    const { port } = this.server.address() as AddressInfo;
    return { port, url: `http://127.0.0.1:${port}/` };
  }

  /** Changes the faults for connections from now on (and the ones in progress). */
  set(opts: Partial<Omit<FaultProxyOptions, 'upstream'>>): void {
    this.opts = { ...this.opts, ...opts };
    this.nextCut = this.opts.cutEveryBytes === undefined ? Infinity : this.downstreamBytes + this.opts.cutEveryBytes;
  }

  resetCounts(): void {
    this.downstreamBytes = 0;
    this.upstreamBytes = 0;
    this.connections = 0;
    this.cuts = 0;
    this.set({});
  }

  async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(client: net.Socket): void {
    this.connections++;
    const upstream = net.connect(this.opts.upstream);
    for (const s of [client, upstream]) {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
      s.on('error', () => {
        client.destroy();
        upstream.destroy();
      });
    }
    client.on('data', (c: Buffer) => {
      this.upstreamBytes += c.length;
      upstream.write(c);
    });
    client.on('end', () => upstream.end());
    void this.pump(upstream, client);
  }

  /** Server to device, piece by piece: the cut and the rate apply here. */
  private async pump(from: net.Socket, to: net.Socket): Promise<void> {
    try {
      for await (const chunk of from as AsyncIterable<Buffer>) {
        let rest = chunk;
        while (rest.length > 0) {
          if (to.destroyed) return;
          const rate = this.opts.bytesPerSec;
          // 20 pieces a second at most; a drip sends single bytes.
          const piece = rate === undefined ? rest.length : Math.max(1, Math.floor(rate / 20));
          let n = Math.min(piece, rest.length);
          const toCut = this.nextCut - this.downstreamBytes;
          const cut = n >= toCut;
          if (cut) n = toCut;
          this.downstreamBytes += n;
          if (n > 0 && !to.write(rest.subarray(0, n))) await new Promise((r) => to.once('drain', r));
          rest = rest.subarray(n);
          if (cut) {
            this.cuts++;
            this.nextCut += this.opts.cutEveryBytes ?? Infinity;
            from.destroy();
            if (this.opts.cutStyle === 'rst') {
              await new Promise<void>((r) => (to.writableLength === 0 ? r() : to.once('drain', () => r())));
              to.resetAndDestroy();
            } else {
              to.end();
            }
            return;
          }
          if (rate !== undefined) await sleep(Math.max(1, (n / rate) * 1000));
        }
      }
      to.end();
    } catch {
      to.destroy();
    }
  }
}
