/**
 * The station bucket on NATS JetStream key-value (the official @nats-io v3 client, chosen by
 * measurement: docs/DESIGN.md "A station with several gates and windows", issue 11's note).
 *
 * - `create` is the KV create: a publish with `Nats-Expected-Last-Subject-Sequence: 0` (or the
 *   revision of a delete marker), so exactly one device of the station wins a key.
 * - `deleteIf` publishes a delete marker with the expected last revision: a refused boarding is
 *   undone only if nobody touched the record since it was read, never by a blind delete.
 * - Reads go to the stream leader (`allow_direct: false`): a replica that lags could otherwise
 *   answer "nobody holds it" for a key just created elsewhere.
 * - Records expire with the bucket's `max_age` (`maxAgeSec`): per-message TTLs need
 *   nats-server 2.11, Debian 12 ships 2.9.10.
 * - The bucket is checked, not trusted (bucket-settings.ts): on connect, on every reconnect and
 *   every `checkPeriodMs`, its stream configuration is read and compared with the station's; a
 *   bucket made otherwise (by another device, or changed since) is a fault that keeps the link
 *   "down" (every answer alone, STATION_OFFLINE) and names the setting, until it is put right.
 *
 * The connection is made in the background and kept for good (the client reconnects across the
 * configured servers and those the cluster gossips). Until the first connection and the bucket
 * are there, and whenever the link is down, every call fails at once with NotConnectedError, so
 * a scan never waits on a dead link longer than it must.
 * @module
 */
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { checkServerIdentity, type PeerCertificate } from 'node:tls';
import { performance } from 'node:perf_hooks';
import { connect, credsAuthenticator, type NatsConnection } from '@nats-io/transport-node';
import { jetstream, jetstreamManager, JetStreamApiCodes, JetStreamApiError } from '@nats-io/jetstream';
import { Kvm, type KV } from '@nats-io/kv';
import { bucketMismatches } from './bucket-settings.js';
import { KeyExistsError, NotConnectedError, UnreadableValueError, type BucketEntry, type StationBucket, type StationBucketState } from './station-bucket.js';

export interface NatsStationBucketOptions {
  servers: readonly string[];
  bucket: string;
  /** Copies of every record in the cluster (3 for a station of three servers). */
  replicas: number;
  /** Records older than this are removed by the servers. */
  maxAgeSec: number;
  /** This device's name as the servers show it. */
  name: string;
  /** A NATS credentials file (JWT + seed), already read; or null. */
  creds: Uint8Array | null;
  tls: { caFile: string | null; certFile: string | null; keyFile: string | null } | null;
  /** Bound of one request inside the client (the store's own deadline is shorter), ms. */
  requestTimeoutMs: number;
  /** Pause between attempts to make the first connection or open the bucket, ms. */
  retryMs: number;
  /** Also use the servers the cluster announces (default true; a test that cuts one link sets false). */
  discover?: boolean;
  /** Pause between checks of the bucket's settings while connected, ms (default 30 s). */
  checkPeriodMs?: number;
  log?: { warn(obj: object, msg: string): void; info(obj: object, msg: string): void };
}

/** The largest value the bucket takes: a once-only record is about 120 bytes. */
export const MAX_VALUE_BYTES = 1024;

export class NatsStationBucket implements StationBucket {
  private nc: NatsConnection | null = null;
  private kv: KV | null = null;
  private linkUp = false;
  private closed = false;
  private readonly listeners: ((connected: boolean) => void)[] = [];
  private retry: NodeJS.Timeout | null = null;
  private wasConnected = false;
  private downSince = performance.now();
  private fault: string | null = null;
  private checker: NodeJS.Timeout | null = null;
  private checking: Promise<void> | null = null;
  /** Times the link dropped: a check begun before a drop does not bring the link up after it. */
  private drops = 0;
  /** Times a bucket was found unfit (the metric counts them). */
  faultsFound = 0;

  constructor(private readonly opts: NatsStationBucketOptions) {}

  /** Starts connecting in the background; returns at once. */
  start(): void {
    void this.attempt();
    this.checker = setInterval(() => {
      if (this.nc && this.kv && !this.nc.isClosed()) void this.recheck();
    }, this.opts.checkPeriodMs ?? 30_000);
    this.checker.unref();
  }

  state(): StationBucketState {
    const up = this.isConnected();
    return {
      connected: up,
      server: up ? (this.nc?.getServer() ?? null) : null,
      servers: this.opts.servers,
      downForMs: up ? 0 : performance.now() - this.downSince,
      fault: this.fault,
      faultsFound: this.faultsFound,
    };
  }

  onConnectionChange(listener: (connected: boolean) => void): void {
    this.listeners.push(listener);
  }

  async create(subject: string, value: Uint8Array): Promise<number> {
    const kv = this.ready();
    try {
      return await kv.create(subject, value);
    } catch (err) {
      if (isWrongSequence(err)) throw new KeyExistsError(subject);
      throw err;
    }
  }

  async get(subject: string): Promise<BucketEntry | null> {
    const kv = this.ready();
    const e = await kv.get(subject);
    if (!e || e.operation !== 'PUT') return null;
    if (e.value.length > MAX_VALUE_BYTES) throw new UnreadableValueError(subject, `value of ${e.value.length} bytes (at most ${MAX_VALUE_BYTES})`);
    return { value: e.value, revision: e.revision };
  }

  async deleteIf(subject: string, revision: number): Promise<boolean> {
    const kv = this.ready();
    try {
      await kv.delete(subject, { previousSeq: revision });
      return true;
    } catch (err) {
      if (isWrongSequence(err)) return false;
      throw err;
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.retry) clearTimeout(this.retry);
    if (this.checker) clearInterval(this.checker);
    const nc = this.nc;
    this.nc = null;
    this.kv = null;
    this.setLink(false);
    if (nc) await nc.close().catch(() => undefined);
  }

  private isConnected(): boolean {
    return this.linkUp && this.fault === null && this.kv !== null && this.nc !== null && !this.nc.isClosed();
  }

  private ready(): KV {
    if (!this.isConnected() || !this.kv) throw new NotConnectedError();
    return this.kv;
  }

  /** One try at the connection and the bucket; on failure the next one is scheduled. */
  private async attempt(): Promise<void> {
    if (this.closed) return;
    try {
      if (!this.nc || this.nc.isClosed()) {
        this.nc = await connect(this.connectOptions());
        this.watch(this.nc);
      }
      if (!this.kv) {
        this.kv = await this.openBucket(this.nc);
        this.opts.log?.info({ bucket: this.opts.bucket, server: this.nc.getServer() }, 'station store connected');
      }
      await this.checkBucket(this.nc);
      this.setLink(true);
    } catch (err) {
      if (this.wasConnected || this.retry === null) {
        this.opts.log?.warn({ err: (err as Error).message }, 'station store not reachable, retrying');
      }
      if (!this.closed) {
        this.retry = setTimeout(() => void this.attempt(), this.opts.retryMs);
        this.retry.unref();
      }
    }
  }

  private connectOptions(): Parameters<typeof connect>[0] {
    const o = this.opts;
    return {
      servers: [...o.servers],
      name: o.name,
      timeout: Math.max(500, o.requestTimeoutMs),
      reconnect: true,
      maxReconnectAttempts: -1,
      reconnectTimeWait: 250,
      reconnectJitter: 100,
      // A server that dies without closing the socket is noticed within seconds, not minutes.
      pingInterval: 2000,
      maxPingOut: 2,
      ignoreClusterUpdates: o.discover === false,
      ...(o.creds ? { authenticator: credsAuthenticator(o.creds) } : {}),
      ...(o.tls ? { tls: this.tlsOptions(o.tls) } : {}),
    };
  }

  /**
   * The client's TLS options. `checkServerIdentity` is not in the client's type but is handed to
   * Node's `tls.connect` with the rest (transport-node merges its `tls` into the options).
   */
  private tlsOptions(t: NonNullable<NatsStationBucketOptions['tls']>): NonNullable<Parameters<typeof connect>[0]>['tls'] {
    const servers = this.opts.servers;
    const options = {
      ...(t.caFile ? { caFile: t.caFile } : {}),
      ...(t.certFile ? { certFile: t.certFile } : {}),
      ...(t.keyFile ? { keyFile: t.keyFile } : {}),
      checkServerIdentity: (host: string, cert: PeerCertificate) => checkStationIdentity(host, cert, servers),
    };
    return options;
  }

  /**
   * Reads the bucket's stream configuration and compares it with the station's (bucket-settings.ts):
   * sets or clears the fault, telling the listeners when that changes what `connected` says.
   * Throws when the configuration cannot be read (the caller tries again).
   */
  private async checkBucket(nc: NatsConnection): Promise<void> {
    const jsm = await jetstreamManager(nc, { timeout: this.opts.requestTimeoutMs, checkAPI: false });
    const info = await jsm.streams.info(`KV_${this.opts.bucket}`);
    const wrong = bucketMismatches(info.config, {
      bucket: this.opts.bucket,
      replicas: this.opts.replicas,
      maxAgeSec: this.opts.maxAgeSec,
      maxValueBytes: MAX_VALUE_BYTES,
    });
    const fault = wrong.length === 0 ? null : `station bucket ${this.opts.bucket} not as configured: ${wrong.join('; ')}`.slice(0, 300);
    if (fault === this.fault) return;
    const before = this.isConnected();
    this.fault = fault;
    if (fault) {
      this.faultsFound++;
      this.opts.log?.warn({ bucket: this.opts.bucket, fault }, 'station bucket refused: answering alone until it is put right');
    } else {
      this.opts.log?.info({ bucket: this.opts.bucket }, 'station bucket settings as configured again');
    }
    this.notifyIfChanged(before);
  }

  /** A check after a reconnect or on the period; the link counts as up only once the bucket is checked. */
  private recheck(afterReconnect = false): Promise<void> {
    // A periodic check under way when the link comes back: the reconnect's own check follows it.
    if (this.checking) return afterReconnect ? this.checking.then(() => this.recheck(true)) : this.checking;
    const nc = this.nc;
    if (!nc) return Promise.resolve();
    const drops = this.drops;
    this.checking = this.checkBucket(nc)
      .then(() => {
        // Up only if the link did not drop again while the check ran.
        if (afterReconnect && drops === this.drops) this.setLink(this.kv !== null);
      })
      .catch((err: unknown) => {
        this.opts.log?.warn({ err: (err as Error).message }, 'station bucket settings could not be read');
        // Not checked, not used: after a reconnect the link stays down until a check succeeds.
        if (afterReconnect && !this.closed) {
          this.retry = setTimeout(() => void this.recheck(true), this.opts.retryMs);
          this.retry.unref();
        }
      })
      .finally(() => {
        this.checking = null;
      });
    return this.checking;
  }

  /** Creates the bucket (idempotent for the same settings), or binds to one made differently. */
  private async openBucket(nc: NatsConnection): Promise<KV> {
    const kvm = new Kvm(jetstream(nc, { timeout: this.opts.requestTimeoutMs }));
    const settings = {
      history: 1,
      replicas: this.opts.replicas,
      ttl: this.opts.maxAgeSec * 1000,
      maxValueSize: MAX_VALUE_BYTES,
      allow_direct: false,
      timeout: this.opts.requestTimeoutMs,
    };
    // An existing bucket is bound to as it is (the client compares nothing): checkBucket decides
    // whether it may be used.
    return kvm.create(this.opts.bucket, settings);
  }

  private watch(nc: NatsConnection): void {
    void (async () => {
      for await (const s of nc.status()) {
        if (s.type === 'disconnect' || s.type === 'staleConnection') {
          this.drops++;
          this.setLink(false);
        } else if (s.type === 'reconnect') void this.recheck(true);
      }
    })().catch(() => undefined);
    void nc.closed().then(() => {
      this.setLink(false);
      if (this.nc === nc) {
        this.nc = null;
        this.kv = null;
      }
      if (!this.closed) {
        this.retry = setTimeout(() => void this.attempt(), this.opts.retryMs);
        this.retry.unref();
      }
    });
  }

  private setLink(up: boolean): void {
    const before = this.isConnected();
    this.linkUp = up;
    if (up) this.wasConnected = true;
    this.notifyIfChanged(before);
  }

  private notifyIfChanged(before: boolean): void {
    const after = this.isConnected();
    if (before && !after) this.downSince = performance.now();
    if (before !== after) for (const l of this.listeners) l(after);
  }
}

function isWrongSequence(err: unknown): boolean {
  return err instanceof JetStreamApiError && (err.code === JetStreamApiCodes.StreamWrongLastSequence || err.code === JetStreamApiCodes.StreamWrongLastSequenceUnknown);
}

/** Reads a credentials file for `credsAuthenticator`, bounded (a creds file is a few hundred bytes). */
export function readCredsFile(file: string): Uint8Array {
  const bytes = readFileSync(file);
  if (bytes.length > 64 * 1024) throw new Error(`station credentials file ${file} is larger than 64 KiB`);
  return bytes;
}

/**
 * The server's certificate must name the host connected to, or, where the client cannot tell
 * (the NATS client sends no name for a server given as an IP address, and Node then checks the
 * certificate against "localhost"), one of the station's configured servers: the station's CA
 * signed it for a member of this station. Without this, a station whose members are configured
 * by address (as the install script does) could never verify its own certificates.
 */
export function checkStationIdentity(host: string, cert: PeerCertificate, servers: readonly string[]): Error | undefined {
  const first = checkServerIdentity(host, cert);
  if (!first) return undefined;
  for (const s of servers) {
    const h = hostOf(s);
    if (h && isIP(h) && !checkServerIdentity(h, cert)) return undefined;
  }
  return first;
}

/** The host of `nats://host:port`, `host:port` or `[v6]:port`. */
function hostOf(server: string): string | null {
  const bare = server.replace(/^[a-z]+:\/\//i, '');
  const v6 = /^\[([^\]]+)\]/.exec(bare);
  if (v6) return v6[1]!;
  const h = bare.split(':')[0];
  return h ? h : null;
}
