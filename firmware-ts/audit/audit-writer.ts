/**
 * Audit records made durable off the event loop (docs/DESIGN.md: feedback first, durable before it
 * ends). The scan path only checks a record and posts it to a worker thread; the worker holds its
 * own better-sqlite3 connection (WAL, synchronous=FULL, like the rest of the database) and commits
 * whatever has arrived in one transaction: while one flush waits for the disk, the next scans
 * queue up and go together (group commit), so a slow SD card costs one flush per burst, not one
 * per scan, and never the officer's wait.
 *
 * A record counts as acknowledged only once its transaction committed: that is when `unwritten`
 * drops and `onDurable` is told, and readers of the database (upload, counts, export) cannot see it
 * before. A failing flush (disk full, I/O error) keeps the records queued in the worker and retries
 * with backoff, reporting the fault to StorageHealth; recording resumes by itself once the disk
 * takes writes again. Records are only given up if the queue passes its bound, and then counted
 * and said (`onLost`), never silently.
 *
 * Another store's rows can go the same way and in the same commits (`writeInSameCommit`: at a
 * gate the once-only records, station/once-only-write-behind.ts): one connection holds the write
 * lock, so such a write never waits on the disk behind an audit commit, and the audit record of a
 * scan is never durable without the rows it made, nor the other way round. The writer runs the
 * statements it is handed and knows nothing of their store; their faults are reported under the
 * source each write names.
 *
 * Records are chained as they commit (audit-chain.ts): sequence numbers and hashes are given in
 * the transaction that writes them, so a flush that fails gives none away and the retry chains
 * the same records in the same place. The worker signs the chain's checkpoints with the device
 * key: a `count` one in the commit of every `checkpointEvery`-th record, a `time` one when the
 * head moved and `checkpointPeriodMs` passed without one, a `stop` one when the writer closes,
 * and a `lost` one saying how many records were given up, if ever.
 *
 * The worker's code is a function of this module run with `eval`, so the same file works from the
 * TypeScript sources, the compiled tree and the bundle; its imports (better-sqlite3, node:crypto)
 * (and sm-crypto-v2 for an SM2 device key) are resolved here and handed over by path, and the
 * chain's functions by their text.
 * @module
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type { StorageHealth } from '../store/storage-health.js';
import { auditRowValues, DEFAULT_CHECKPOINT_EVERY, type AuditEntry, type AuditMeta, type AuditRowValues, type AuditSink } from './audit-log.js';
import { makeChain, type SigningKey } from './audit-chain.js';
import { checkpointMessage, recordDigest } from './chain-codec.js';
import { checkpointSigner, sm2SignerPath } from './checkpoint-signer.js';

export interface AuditWriterOptions {
  /** The database file (not `:memory:`: the worker opens its own connection). Its audit tables exist already (AuditLog ran the migrations). */
  file: string;
  meta: AuditMeta;
  /** Where write failures and recoveries are reported. */
  health?: StorageHealth;
  /** Told, in order, of every record that became durable: its sequence number and ms since it was submitted. */
  onDurable?(records: readonly { seq: number; waitedMs: number }[]): void;
  /** Told of records given up (queue full during a long fault). */
  onLost?(n: number): void;
  /** First retry after a failed flush, ms (default 250); doubles up to `retryMaxMs` (default 5000). */
  retryMinMs?: number;
  retryMaxMs?: number;
  /** Records held while the disk refuses writes (default 100 000, about a month at a busy gate). */
  maxQueued?: number;
  /** Benchmarks and tests: every commit takes this much longer, ms (a slow SD card). */
  flushDelayMs?: number;
  /** The device key the checkpoints are signed with (null: kept unsigned until a holder signs them). */
  key?: SigningKey | null;
  /** A `count` checkpoint at every multiple of this sequence number (default 1000, as the log's). */
  checkpointEvery?: number;
  /** A `time` checkpoint when the head moved and this long passed without one (default 10 min). */
  checkpointPeriodMs?: number;
  /** Benchmarks only: records written without the chain, the baseline its cost is measured against. */
  unchainedForBenchmark?: boolean;
}

/** Another store's write made durable in the writer's commits: its statement, values and fault source. */
export interface SameCommitWrite {
  /** The SQL, with `?` placeholders (the other store's own statements). */
  sql: string;
  values: (string | number | null)[];
  /** The StorageHealth source a failure of this write is reported as (its store's name, never `audit`). */
  source: string;
}

/** Rows sent to the worker: an audit record (`sql` absent) or another store's write. */
interface WorkerRow {
  id: number;
  values: unknown[];
  sql?: string;
}

interface WorkerConfig {
  sqlitePath: string;
  /** sm-crypto-v2, for an SM2 device key. */
  sm2Path: string;
  file: string;
  device: string;
  key: SigningKey | null;
  every: number;
  checkpointPeriodMs: number;
  unchained: boolean;
  retryMinMs: number;
  retryMaxMs: number;
  maxQueued: number;
  maxBatch: number;
  flushDelayMs: number;
}

type FromWorker =
  | { t: 'durable'; ids: number[]; seqs: number[] }
  | { t: 'fault'; error: string; queued: number; ids: number[] }
  | { t: 'lost'; ids: number[] }
  | { t: 'closed'; unwritten: number };

/**
 * The worker thread, as plain JavaScript (it runs from `toString()`). Receives rows, commits them
 * in batches, retries on failure, and answers with what became durable.
 */
function auditWriterWorker(
  req: NodeJS.Require,
  chainOf: typeof makeChain,
  digest: typeof recordDigest,
  message: typeof checkpointMessage,
  signer: typeof checkpointSigner,
): void {
  const { parentPort, workerData } = req('node:worker_threads') as typeof import('node:worker_threads');
  const crypto = req('node:crypto') as typeof import('node:crypto');
  const cfg = workerData as WorkerConfig;
  const Database = req(cfg.sqlitePath) as typeof import('better-sqlite3');
  const db = new Database(cfg.file);
  db.pragma('busy_timeout = 5000');
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  const logId = db.prepare('SELECT log_id FROM audit_state WHERE id = 1').pluck().get() as string;
  const chain = chainOf(
    db,
    crypto,
    { recordDigest: digest, checkpointMessage: message },
    {
      logId,
      device: cfg.device,
      every: cfg.every,
      key: cfg.key,
      sign: cfg.key ? signer(crypto, cfg.key.alg === 'SM2' ? (req(cfg.sm2Path) as { sm2: Parameters<typeof checkpointSigner>[1] }).sm2 : null, cfg.key) : null,
    },
    () => Date.now() / 1000,
  );
  // Checkpoints owed: a `time` one (the period passed), and the records given up not yet said.
  let timeDue = false;
  let lostUnsaid = 0;
  const others = new Map<string, import('better-sqlite3').Statement<unknown[]>>();
  const statement = (sql: string) => {
    let st = others.get(sql);
    if (!st) others.set(sql, (st = db.prepare(sql)));
    return st;
  };
  const pause = new Int32Array(new SharedArrayBuffer(4));
  const UNCHAINED = `INSERT INTO audit_log (at_sec, device_id, operator, profile, region, station, verdict, reasons, type,
    status_key, clock_reliable, ms, scan_id, action, action_source, action_result) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`;
  // An audit record answers its sequence number; another store's write the rows it changed.
  const commit = db.transaction((rows: WorkerRow[]) => {
    const append = chain.open();
    const add = (values: unknown[]): number => (cfg.unchained ? Number(statement(UNCHAINED).run(...values).lastInsertRowid) : append.append(values));
    const seqs = rows.map((r) => (r.sql === undefined ? add(r.values) : statement(r.sql).run(...r.values).changes));
    const head = append.close();
    if (lostUnsaid > 0) chain.checkpoint('lost', { count: lostUnsaid });
    if (timeDue && head.seq > chain.lastCheckpointSeq()) chain.checkpoint('time');
    if (cfg.flushDelayMs > 0) Atomics.wait(pause, 0, 0, cfg.flushDelayMs);
    return seqs;
  });
  const period = setInterval(() => {
    timeDue = true;
    schedule();
  }, cfg.checkpointPeriodMs);
  period.unref();
  const queue: WorkerRow[] = [];
  let scheduled = false;
  let retryTimer: NodeJS.Timeout | null = null;
  let retryMs = 0;
  let closing = false;

  const finish = (): void => {
    clearInterval(period);
    try {
      // The stop checkpoint: the head as it is when the writer ends, signed.
      db.transaction(() => {
        if (lostUnsaid > 0) chain.checkpoint('lost', { count: lostUnsaid });
        chain.checkpoint('stop');
      }).immediate();
    } catch {
      // A disk that refuses the checkpoint refused the records too: `unwritten` says so.
    }
    parentPort!.postMessage({ t: 'closed', unwritten: queue.length });
    try {
      db.close();
    } catch {
      // Closing a connection on a failing disk: nothing more to do.
    }
    parentPort!.close();
  };
  const flush = (): void => {
    scheduled = false;
    retryTimer = null;
    if (queue.length > 0 || timeDue || lostUnsaid > 0) {
      const batch = queue.slice(0, cfg.maxBatch);
      try {
        // IMMEDIATE: the transaction reads the chain's head before it writes, and a deferred one
        // upgraded to a writer while another connection (the main thread's) writes fails at once
        // with SQLITE_BUSY (busy_timeout does not cover an upgrade); this one waits for the lock.
        const seqs = commit.immediate(batch);
        queue.splice(0, batch.length);
        timeDue = false;
        lostUnsaid = 0;
        retryMs = 0;
        if (batch.length > 0) parentPort!.postMessage({ t: 'durable', ids: batch.map((r) => r.id), seqs });
      } catch (err) {
        const e = err as { code?: string; message?: string };
        retryMs = Math.min(cfg.retryMaxMs, Math.max(cfg.retryMinMs, retryMs * 2));
        parentPort!.postMessage({ t: 'fault', error: `${e.code ?? 'error'}: ${e.message ?? String(err)}`, queued: queue.length, ids: batch.map((r) => r.id) });
        if (closing) return finish();
        retryTimer = setTimeout(flush, retryMs);
        return;
      }
    }
    if (queue.length > 0) schedule();
    else if (closing) finish();
  };
  const schedule = (): void => {
    if (scheduled || retryTimer) return;
    scheduled = true;
    setImmediate(flush);
  };
  parentPort!.on('message', (m: { t: 'rows'; rows: WorkerRow[] } | { t: 'close' }) => {
    if (m.t === 'close') {
      closing = true;
      if (retryTimer) clearTimeout(retryTimer);
      retryTimer = null;
      schedule();
      return;
    }
    for (const r of m.rows) queue.push(r);
    if (queue.length > cfg.maxQueued) {
      const dropped = queue.splice(0, queue.length - cfg.maxQueued);
      lostUnsaid += dropped.filter((r) => r.sql === undefined).length;
      parentPort!.postMessage({ t: 'lost', ids: dropped.map((r) => r.id) });
    }
    schedule();
  });
}

export class AuditWriter implements AuditSink {
  private readonly worker: Worker;
  private readonly meta: AuditMeta;
  private readonly submittedAt = new Map<number, number>();
  private nextId = 1;
  private closed: Promise<number> | null = null;
  private idleWaiters: (() => void)[] = [];
  /** Other stores' writes not yet durable: whom to tell when they are (rows changed, or -1: given up), and their source. */
  private readonly sameCommitWaiters = new Map<number, { tell: (changes: number) => void; source: string }>();
  private lostCount = 0;
  private lastError: string | null = null;
  /** The sources (`audit`, and those other stores' writes name) whose writes failed and have not committed since. */
  private readonly failing = new Set<string>();

  constructor(private readonly opts: AuditWriterOptions) {
    if (opts.file === ':memory:') throw new Error('audit writer: needs a database file');
    this.meta = opts.meta;
    const config: WorkerConfig = {
      sqlitePath: createRequire(import.meta.url).resolve('better-sqlite3'),
      sm2Path: sm2SignerPath(),
      file: opts.file,
      device: opts.meta.deviceId,
      key: opts.key ?? null,
      every: opts.checkpointEvery ?? DEFAULT_CHECKPOINT_EVERY,
      checkpointPeriodMs: opts.checkpointPeriodMs ?? 600_000,
      unchained: opts.unchainedForBenchmark ?? false,
      retryMinMs: opts.retryMinMs ?? 250,
      retryMaxMs: opts.retryMaxMs ?? 5000,
      maxQueued: opts.maxQueued ?? 100_000,
      maxBatch: 1000,
      flushDelayMs: opts.flushDelayMs ?? 0,
    };
    // `__name` guards against a transpiler's keep-names helper inside the function's text.
    const code = `const __name = (f) => f;\n(${auditWriterWorker.toString()})(require, ${makeChain.toString()}, ${recordDigest.toString()}, ${checkpointMessage.toString()}, ${checkpointSigner.toString()});`;
    this.worker = new Worker(code, { eval: true, workerData: config });
    this.worker.on('message', (m: FromWorker) => this.onMessage(m));
    this.worker.on('error', (err) => {
      this.lastError = `worker: ${(err as Error | undefined)?.message ?? String(err)}`;
      opts.health?.fail('audit', this.lastError);
    });
    // The service's lifetime is not the writer's to decide.
    this.worker.unref();
  }

  /** Checks a record (throws on a malformed one, as AuditLog.record does) and queues it for the disk. */
  submit(entry: AuditEntry): void {
    if (this.closed) throw new Error('audit writer: closed');
    const values: AuditRowValues = auditRowValues(entry, this.meta);
    const id = this.nextId++;
    this.submittedAt.set(id, performance.now());
    this.worker.postMessage({ t: 'rows', rows: [{ id, values }] });
  }

  /**
   * Queues another store's write behind what is already queued, in the same group commits as the
   * audit records. Resolves once it is durable with the rows it changed, or with -1 if it was
   * given up (queue full during a long fault); never rejects: a failing disk is retried.
   */
  writeInSameCommit(write: SameCommitWrite): Promise<number> {
    if (this.closed) return Promise.resolve(-1);
    const id = this.nextId++;
    return new Promise<number>((resolve) => {
      this.sameCommitWaiters.set(id, { tell: resolve, source: write.source });
      this.worker.postMessage({ t: 'rows', rows: [{ id, values: write.values, sql: write.sql }] });
    });
  }

  /** Records submitted and not yet durable (nor given up). */
  get unwritten(): number {
    return this.submittedAt.size;
  }

  get lost(): number {
    return this.lostCount;
  }

  /** The last flush error while records are waiting for the disk, or null. */
  get fault(): string | null {
    return this.lastError;
  }

  /** Resolves once every record and write submitted so far is durable (or given up), or after `timeoutMs`. */
  idle(timeoutMs = 10_000): Promise<boolean> {
    if (this.submittedAt.size === 0 && this.sameCommitWaiters.size === 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const t = setTimeout(() => resolve(false), timeoutMs);
      this.idleWaiters.push(() => {
        clearTimeout(t);
        resolve(true);
      });
    });
  }

  /**
   * Writes what is queued (one last try) and ends the worker; resolves with the number of records
   * that could not be written. Waits at most `timeoutMs` for a slow disk.
   */
  close(timeoutMs = 10_000): Promise<number> {
    if (!this.closed) {
      this.closed = new Promise<number>((resolve) => {
        const t = setTimeout(() => {
          void this.worker.terminate();
          resolve(this.submittedAt.size);
        }, timeoutMs);
        this.worker.once('exit', () => {
          clearTimeout(t);
          // Other stores' writes that never reached the disk: their stores hear it (-1) and say so.
          for (const [id, waiter] of this.sameCommitWaiters) {
            this.sameCommitWaiters.delete(id);
            waiter.tell(-1);
          }
          resolve(this.submittedAt.size);
        });
        this.worker.postMessage({ t: 'close' });
      });
    }
    return this.closed;
  }

  private onMessage(m: FromWorker): void {
    if (m.t === 'durable') {
      const now = performance.now();
      const records: { seq: number; waitedMs: number }[] = [];
      const told: [(changes: number) => void, number][] = [];
      m.ids.forEach((id, i) => {
        const waiter = this.sameCommitWaiters.get(id);
        if (waiter) {
          this.sameCommitWaiters.delete(id);
          told.push([waiter.tell, m.seqs[i]!]);
          return;
        }
        const at = this.submittedAt.get(id) ?? now;
        this.submittedAt.delete(id);
        records.push({ seq: m.seqs[i]!, waitedMs: now - at });
      });
      // A commit went through: the disk takes writes again, for every source.
      this.lastError = null;
      for (const source of this.failing) this.opts.health?.recover(source);
      this.failing.clear();
      if (records.length > 0) this.opts.onDurable?.(records);
      for (const [tell, changes] of told) tell(changes);
    } else if (m.t === 'fault') {
      this.lastError = m.error;
      // Whatever waits in the queue is not being written, not only the batch that failed.
      const sources = new Set<string>(m.ids.map((id) => this.sameCommitWaiters.get(id)?.source ?? 'audit'));
      if (this.submittedAt.size > 0) sources.add('audit');
      for (const waiter of this.sameCommitWaiters.values()) sources.add(waiter.source);
      for (const source of sources) {
        this.failing.add(source);
        this.opts.health?.fail(source, m.error);
      }
    } else if (m.t === 'lost') {
      let records = 0;
      for (const id of m.ids) {
        const waiter = this.sameCommitWaiters.get(id);
        if (waiter) {
          this.sameCommitWaiters.delete(id);
          waiter.tell(-1);
        } else if (this.submittedAt.delete(id)) records++;
      }
      this.lostCount += records;
      this.opts.health?.lost(m.ids.length);
      if (records > 0) this.opts.onLost?.(records);
    } else if (m.t === 'closed') {
      void this.worker.terminate();
    }
    if (this.submittedAt.size === 0 && this.sameCommitWaiters.size === 0) {
      const w = this.idleWaiters;
      this.idleWaiters = [];
      w.forEach((f) => f());
    }
  }
}
