/**
 * Sends the audit log to a collector in batches, and marks records acknowledged only once the
 * collector says it holds them.
 *
 * Protocol (one POST per batch, JSON both ways):
 *
 *     request  {"device": ID, "log": LOG_UUID, "hashAlg": "sha256"|"sm3", "records": [AuditRecord, ...],  (ascending seq)
 *               "deviceKey": {"alg","publicKey","id"} | null, "checkpoints": [Checkpoint, ...]}
 *     reply    200 {"ackThrough": N}
 *
 * The records carry their chain (`prev`, `salt`) and the batch the signed checkpoints of its range
 * and the device's public key, so the collector can hold each device's chain and refuse (409, with
 * a reason) a batch that does not continue it.
 *
 * N means: the collector has stored, durably, every record of this batch with seq <= N. The
 * collector keys records by (log, seq) (the log id is a random UUID, so unique across devices;
 * each record also names its device) and stores each once, so a batch sent again after
 * a lost reply or a power cut does no harm: uploads are at-least-once on the wire and
 * exactly-once in the collector. A reply outside the batch, a redirect or any other status is a
 * failure. After a failure the next round waits twice as long (from the period up to
 * `maxBackoffMs`, with jitter so a fleet coming back online does not hammer the collector
 * together); a success resets the wait.
 * @module
 */
import type { AuditLog } from './audit-log.js';
import type { DeviceKeyInfo } from './device-key.js';
import { postJson, UploadError } from './upload-client.js';

export interface AuditUploaderOptions {
  /** Collector URL (https://, or http:// on loopback). */
  url: string;
  /** PEM of the collector's CA, when it is not a public one. */
  ca?: string | Buffer;
  /** This device's client certificate and key (PEM), sent in the TLS handshake. */
  clientCert?: string | Buffer;
  clientKey?: string | Buffer;
  /** The device key's public half, sent with every batch (the collector pins it). */
  deviceKey?: DeviceKeyInfo | null;
  /** Records per request (default 100). */
  batchSize?: number;
  /** Wait between rounds after success (default 300 s). */
  periodMs?: number;
  /** Longest wait after repeated failures (default 1 h). */
  maxBackoffMs?: number;
  /** Per-request timeout (default 30 s). */
  timeoutMs?: number;
  /** Called after each round, for logs and metrics. */
  onRound?: (round: UploadRound) => void;
  /** Source of jitter in [0, 1) (default Math.random). */
  random?: () => number;
}

/** What one round did. */
export interface UploadRound {
  ok: boolean;
  /** Records acknowledged in this round. */
  acked: number;
  /** Records still waiting. */
  pending: number;
  /** One-line reason of the failure, when not ok. */
  error?: string;
}

export class AuditUploader {
  private readonly batchSize: number;
  private readonly periodMs: number;
  private readonly maxBackoffMs: number;
  private readonly timeoutMs: number;
  private failures = 0;
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<UploadRound> | null = null;
  private stopped = false;
  private abort = new AbortController();

  constructor(
    private readonly log: AuditLog,
    private readonly opts: AuditUploaderOptions,
  ) {
    this.batchSize = opts.batchSize ?? 100;
    this.periodMs = opts.periodMs ?? 300_000;
    this.maxBackoffMs = Math.max(opts.maxBackoffMs ?? 3_600_000, this.periodMs);
    this.timeoutMs = opts.timeoutMs ?? 30_000;
  }

  /** One round: sends batches until nothing is pending or a batch fails. */
  uploadOnce(): Promise<UploadRound> {
    if (!this.running) {
      this.running = this.round().finally(() => {
        this.running = null;
      });
    }
    return this.running;
  }

  /** Starts periodic rounds (the first one at once). */
  start(): void {
    if (this.timer || this.stopped) return;
    this.schedule(0);
  }

  /** Stops the rounds, abandoning a request in flight (its batch is simply sent again later). */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.abort.abort();
    await this.running?.catch(() => undefined);
  }

  /** The wait before the next round, given the failures so far. */
  nextDelayMs(): number {
    if (this.failures === 0) return this.periodMs;
    const exp = Math.min(this.maxBackoffMs, this.periodMs * 2 ** Math.min(this.failures - 1, 30));
    const random = this.opts.random ?? Math.random;
    return Math.round(exp / 2 + (exp / 2) * random());
  }

  private schedule(delayMs: number): void {
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.uploadOnce().then((round) => {
        if (!this.stopped) this.schedule(this.nextDelayMs());
        return round;
      });
    }, delayMs);
    this.timer.unref();
  }

  private async round(): Promise<UploadRound> {
    let acked = 0;
    let error: string | undefined;
    try {
      for (;;) {
        if (this.stopped) throw new UploadError('stopped');
        const batch = this.log.pending(this.batchSize);
        if (batch.length === 0) break;
        const first = batch[0]!.seq;
        const last = batch[batch.length - 1]!.seq;
        const reply = await postJson(
          this.opts.url,
          {
            device: batch[0]!.device,
            log: this.log.logId,
            hashAlg: this.log.hashAlg,
            records: batch,
            deviceKey: this.opts.deviceKey ?? null,
            checkpoints: this.log.checkpointsBetween(first - 1, last),
          },
          {
            ...(this.opts.ca ? { ca: this.opts.ca } : {}),
            ...(this.opts.clientCert && this.opts.clientKey ? { cert: this.opts.clientCert, key: this.opts.clientKey } : {}),
            timeoutMs: this.timeoutMs,
            signal: this.abort.signal,
          },
        );
        if (reply.status !== 200) throw new UploadError(`collector answered HTTP ${reply.status}${refusalOf(reply.body)}`);
        const ackThrough = (reply.body as { ackThrough?: unknown } | undefined)?.ackThrough;
        if (typeof ackThrough !== 'number' || !Number.isSafeInteger(ackThrough) || ackThrough > last) {
          throw new UploadError('collector reply has no valid ackThrough');
        }
        if (ackThrough < first) throw new UploadError('collector acknowledged nothing of the batch');
        this.log.acknowledge(ackThrough);
        acked += batch.filter((r) => r.seq <= ackThrough).length;
      }
    } catch (err) {
      error = err instanceof UploadError ? err.message : `unexpected: ${String((err as Error)?.message ?? err)}`;
    }
    const ok = error === undefined;
    this.failures = ok ? 0 : this.failures + 1;
    const round: UploadRound = { ok, acked, pending: this.log.pendingCount(), ...(ok ? {} : { error: error! }) };
    this.opts.onRound?.(round);
    return round;
  }
}

/** The collector's one-line reason for a refusal (`{"error": "..."}`), made safe to log. */
function refusalOf(body: unknown): string {
  const error = (body as { error?: unknown } | undefined)?.error;
  if (typeof error !== 'string' || error === '') return '';
  return `: ${error.replace(/[\p{Cc}\p{Cf}]+/gu, ' ').slice(0, 160)}`;
}
