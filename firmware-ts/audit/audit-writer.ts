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
 * The worker's code is a function of this module run with `eval`, so the same file works from the
 * TypeScript sources, the compiled tree and the bundle, and its only import (better-sqlite3) is
 * resolved here and handed over by path.
 * @module
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type { StorageHealth } from '../store/storage-health.js';
import { AUDIT_INSERT_SQL, auditRowValues, type AuditEntry, type AuditMeta, type AuditRowValues, type AuditSink } from './audit-log.js';

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
}

interface WorkerConfig {
  sqlitePath: string;
  file: string;
  sql: string;
  retryMinMs: number;
  retryMaxMs: number;
  maxQueued: number;
  maxBatch: number;
  flushDelayMs: number;
}

type FromWorker =
  | { t: 'durable'; ids: number[]; seqs: number[] }
  | { t: 'fault'; error: string; queued: number }
  | { t: 'lost'; ids: number[] }
  | { t: 'closed'; unwritten: number };

/**
 * The worker thread, as plain JavaScript (it runs from `toString()`). Receives rows, commits them
 * in batches, retries on failure, and answers with what became durable.
 */
function auditWriterWorker(req: NodeJS.Require): void {
  const { parentPort, workerData } = req('node:worker_threads') as typeof import('node:worker_threads');
  const cfg = workerData as WorkerConfig;
  const Database = req(cfg.sqlitePath) as typeof import('better-sqlite3');
  const db = new Database(cfg.file);
  db.pragma('busy_timeout = 5000');
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  const insert = db.prepare(cfg.sql);
  const pause = new Int32Array(new SharedArrayBuffer(4));
  const commit = db.transaction((rows: { id: number; values: unknown[] }[]) => {
    const seqs = rows.map((r) => Number(insert.run(...r.values).lastInsertRowid));
    if (cfg.flushDelayMs > 0) Atomics.wait(pause, 0, 0, cfg.flushDelayMs);
    return seqs;
  });
  const queue: { id: number; values: unknown[] }[] = [];
  let scheduled = false;
  let retryTimer: NodeJS.Timeout | null = null;
  let retryMs = 0;
  let closing = false;

  const finish = (): void => {
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
    if (queue.length > 0) {
      const batch = queue.slice(0, cfg.maxBatch);
      try {
        const seqs = commit(batch);
        queue.splice(0, batch.length);
        retryMs = 0;
        parentPort!.postMessage({ t: 'durable', ids: batch.map((r) => r.id), seqs });
      } catch (err) {
        const e = err as { code?: string; message?: string };
        retryMs = Math.min(cfg.retryMaxMs, Math.max(cfg.retryMinMs, retryMs * 2));
        parentPort!.postMessage({ t: 'fault', error: `${e.code ?? 'error'}: ${e.message ?? String(err)}`, queued: queue.length });
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
  parentPort!.on('message', (m: { t: 'rows'; rows: { id: number; values: unknown[] }[] } | { t: 'close' }) => {
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
  private lostCount = 0;
  private lastError: string | null = null;

  constructor(private readonly opts: AuditWriterOptions) {
    if (opts.file === ':memory:') throw new Error('audit writer: needs a database file');
    this.meta = opts.meta;
    const config: WorkerConfig = {
      sqlitePath: createRequire(import.meta.url).resolve('better-sqlite3'),
      file: opts.file,
      sql: AUDIT_INSERT_SQL,
      retryMinMs: opts.retryMinMs ?? 250,
      retryMaxMs: opts.retryMaxMs ?? 5000,
      maxQueued: opts.maxQueued ?? 100_000,
      maxBatch: 1000,
      flushDelayMs: opts.flushDelayMs ?? 0,
    };
    // `__name` guards against a transpiler's keep-names helper inside the function's text.
    const code = `const __name = (f) => f;\n(${auditWriterWorker.toString()})(require);`;
    this.worker = new Worker(code, { eval: true, workerData: config });
    this.worker.on('message', (m: FromWorker) => this.onMessage(m));
    this.worker.on('error', (err) => {
      this.lastError = `worker: ${err.message}`;
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

  /** Resolves once every record submitted so far is durable (or given up), or after `timeoutMs`. */
  idle(timeoutMs = 10_000): Promise<boolean> {
    if (this.submittedAt.size === 0) return Promise.resolve(true);
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
      const records = m.ids.map((id, i) => {
        const at = this.submittedAt.get(id) ?? now;
        this.submittedAt.delete(id);
        return { seq: m.seqs[i]!, waitedMs: now - at };
      });
      if (this.lastError !== null) {
        this.lastError = null;
        this.opts.health?.recover('audit');
      }
      this.opts.onDurable?.(records);
    } else if (m.t === 'fault') {
      this.lastError = m.error;
      this.opts.health?.fail('audit', m.error);
    } else if (m.t === 'lost') {
      for (const id of m.ids) this.submittedAt.delete(id);
      this.lostCount += m.ids.length;
      this.opts.health?.lost(m.ids.length);
      this.opts.onLost?.(m.ids.length);
    } else if (m.t === 'closed') {
      void this.worker.terminate();
    }
    if (this.submittedAt.size === 0) {
      const w = this.idleWaiters;
      this.idleWaiters = [];
      w.forEach((f) => f());
    }
  }
}
