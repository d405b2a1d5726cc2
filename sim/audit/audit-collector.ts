/**
 * A simulated audit collector: the server end of the upload protocol in
 * firmware-ts/audit/audit-uploader.ts, on real HTTP or HTTPS, for tests and demos.
 *
 * It is idempotent the way a real collector must be: records are keyed by (log, seq), a record
 * sent twice is stored once, and a record sent again with different content is counted as a
 * conflict (which would mean a device reused a sequence number). Faults can be injected: refuse
 * the next N requests, or store the next N batches and then drop the connection without an
 * answer (the device must send them again and nothing may be stored twice).
 *
 * With `clientCa` it also knows who posts (mutual TLS): every request must come with a client
 * certificate signed by that CA, and the certificate's common name must be the `device` the
 * batch names. A request without one, with another CA's, or for another device is answered
 * 401/403 with `{"error": "..."}` saying which, and nothing of it is stored.
 *
 * It holds each device's audit chain (chain-ledger.ts): a batch must continue what it holds for
 * that log (no gap, following the last hash), with its device key and checkpoints signed by it;
 * one that does not is answered 409 with the reason and nothing of it is stored.
 * @module
 */
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import type { AuditRecord } from '../../firmware-ts/audit/audit-record.js';
import { ChainLedger } from './chain-ledger.js';

export interface AuditCollectorOptions {
  host?: string;
  port?: number;
  /** Serve HTTPS with this key and certificate (PEM). */
  tls?: { key: string | Buffer; cert: string | Buffer };
  /** With `tls`: require a client certificate signed by this CA (PEM), named after the device. */
  clientCa?: string | Buffer;
  /** Largest accepted request body (default 4 MiB). */
  maxBodyBytes?: number;
  /** Called once for each record stored for the first time. */
  onRecord?: (stored: StoredRecord) => void;
}

export interface StoredRecord {
  log: string;
  seq: number;
  record: Record<string, unknown>;
}

export class AuditCollector {
  private readonly server: http.Server;
  private readonly stored = new Map<string, { log: string; seq: number; json: string }>();
  private refuse = 0;
  private drop = 0;
  /** Records received again that were already stored (same content). */
  duplicates = 0;
  /** Records received again with different content. */
  conflicts = 0;
  /** Requests answered or dropped. */
  requests = 0;
  /** Requests refused for their client certificate, with the reason given. */
  readonly refusedIdentities: string[] = [];
  /** Batches refused because they do not continue the chain held, with the reason given. */
  readonly refusedBatches: string[] = [];
  private readonly ledger = new ChainLedger();

  constructor(private readonly opts: AuditCollectorOptions = {}) {
    const handler = (req: http.IncomingMessage, res: http.ServerResponse): void => this.handle(req, res);
    // rejectUnauthorized false: a bad certificate is refused by the handler with a reason the
    // device can log, rather than by a TLS alert that reads as a broken connection.
    this.server = opts.tls
      ? https.createServer(
          {
            key: opts.tls.key,
            cert: opts.tls.cert,
            ...(opts.clientCa ? { ca: opts.clientCa, requestCert: true, rejectUnauthorized: false } : {}),
          },
          handler,
        )
      : http.createServer(handler);
  }

  async start(): Promise<{ port: number; url: string }> {
    const host = this.opts.host ?? '127.0.0.1';
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.opts.port ?? 0, host, () => resolve());
    });
    const { port } = this.server.address() as AddressInfo;
    return { port, url: `${this.opts.tls ? 'https' : 'http'}://${host}:${port}/v1/audit` };
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** Answer the next `n` requests with HTTP 503. */
  refuseNext(n: number): void {
    this.refuse = n;
  }

  /** Store the next `n` batches, then drop the connection without answering. */
  dropRepliesNext(n: number): void {
    this.drop = n;
  }

  /** Every record held, by log then seq. */
  records(): StoredRecord[] {
    return [...this.stored.values()]
      .sort((a, b) => (a.log === b.log ? a.seq - b.seq : a.log < b.log ? -1 : 1))
      .map((s) => ({ log: s.log, seq: s.seq, record: JSON.parse(s.json) as Record<string, unknown> }));
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    if (req.method !== 'POST') return void res.writeHead(405).end();
    const max = this.opts.maxBodyBytes ?? 4 << 20;
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > max) req.destroy();
      else chunks.push(c);
    });
    req.on('end', () => {
      this.requests++;
      const identity = this.opts.clientCa ? clientIdentity(req.socket as TLSSocket) : null;
      if (identity && 'refused' in identity) return this.refuseIdentity(res, 401, identity.refused);
      if (this.refuse > 0) {
        this.refuse--;
        return void res.writeHead(503).end();
      }
      let batch: { device?: unknown; log?: unknown; records?: unknown };
      try {
        batch = JSON.parse(Buffer.concat(chunks).toString('utf8')) as typeof batch;
      } catch {
        return void res.writeHead(400).end();
      }
      if (typeof batch.log !== 'string' || !Array.isArray(batch.records) || batch.records.length === 0) {
        return void res.writeHead(400).end();
      }
      if (identity && 'device' in identity && batch.device !== identity.device) {
        return this.refuseIdentity(res, 403, `certificate is for device ${JSON.stringify(identity.device)}, the batch names ${JSON.stringify(batch.device)}`);
      }
      let last = 0;
      for (const r of batch.records as Record<string, unknown>[]) {
        if (r === null || typeof r !== 'object' || !Number.isSafeInteger(r.seq)) return void res.writeHead(400).end();
        last = Math.max(last, r.seq as number);
      }
      const log = batch.log;
      const plan = this.ledger.check(
        log,
        String(batch.device),
        batch.records as AuditRecord[],
        (batch as { checkpoints?: unknown }).checkpoints,
        (batch as { deviceKey?: unknown }).deviceKey,
        (seq) => this.stored.get(`${log}:${seq}`)?.json,
        (batch as { hashAlg?: unknown }).hashAlg,
      );
      if ('refused' in plan) {
        this.refusedBatches.push(plan.refused);
        return void res.writeHead(409, { 'content-type': 'application/json' }).end(JSON.stringify({ error: plan.refused }));
      }
      for (const r of batch.records as Record<string, unknown>[]) this.store(log, r);
      this.ledger.accept(log, plan);
      if (this.drop > 0) {
        this.drop--;
        return void res.socket?.destroy();
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ ackThrough: last }));
    });
  }

  private refuseIdentity(res: http.ServerResponse, status: number, reason: string): void {
    this.refusedIdentities.push(reason);
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify({ error: reason }));
  }

  private store(log: string, record: Record<string, unknown>): void {
    const seq = record.seq as number;
    const key = `${log}:${seq}`;
    const json = JSON.stringify(record);
    const held = this.stored.get(key);
    if (!held) {
      this.stored.set(key, { log, seq, json });
      this.opts.onRecord?.({ log, seq, record: JSON.parse(json) as Record<string, unknown> });
    } else if (held.json === json) this.duplicates++;
    else this.conflicts++;
  }
}

/** The device a verified client certificate names (its CN), or why the client is refused. */
function clientIdentity(socket: TLSSocket): { device: string } | { refused: string } {
  const cert = socket.getPeerCertificate();
  if (!cert || Object.keys(cert).length === 0) return { refused: 'no client certificate: the device must present its certificate' };
  if (!socket.authorized) {
    return { refused: `client certificate not trusted (${String(socket.authorizationError ?? 'unknown CA')})` };
  }
  const cn = cert.subject?.CN;
  const device = Array.isArray(cn) ? cn[0] : cn;
  if (typeof device !== 'string' || device === '') return { refused: 'client certificate names no device (no CN)' };
  return { device };
}
