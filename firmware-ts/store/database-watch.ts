/**
 * Whether the database the service opened is still the one on disk (docs/DESIGN.md, Faults: a
 * database that disappears or fails under the service turns health `degraded` with the reason).
 *
 * SQLite keeps writing to a file deleted under it (the open descriptor holds the inode), and to a
 * file replaced under it, and reports nothing: every record written from then on is lost at the
 * next start. So the watch compares the path's file (and its `-wal`) with the ones opened, by
 * device and inode, and reads one row to see that the database still answers. It is cheap (two
 * `stat`s and one indexed read), so it runs on every `/healthz` request and on a slow timer; a
 * change is a storage fault of source `database` (the screen, the alert pattern, the metric), and
 * it clears only if the same files are back in place.
 * @module
 */
import { statSync } from 'node:fs';
import type { Db } from './database.js';

/** What the watch reports to (StorageHealth fits). */
export interface DatabaseWatchHealth {
  fail(source: string, error: string): void;
  recover(source: string): void;
}

interface FileId {
  dev: number;
  ino: number;
}

function fileId(path: string): FileId | null {
  try {
    const st = statSync(path);
    return { dev: st.dev, ino: st.ino };
  } catch {
    return null;
  }
}

const same = (a: FileId | null, b: FileId | null) => a !== null && b !== null && a.dev === b.dev && a.ino === b.ino;

export class DatabaseWatch {
  private readonly main: FileId | null;
  private readonly wal: FileId | null;
  private readonly probe: { get(): unknown };
  private problem: string | null = null;
  private timer: NodeJS.Timeout | null = null;

  /** Call right after opening `file` (the runtime's database), before anything can replace it. */
  constructor(
    private readonly file: string,
    db: Db,
    private readonly health: DatabaseWatchHealth,
  ) {
    this.main = fileId(file);
    this.wal = fileId(`${file}-wal`);
    this.probe = db.prepare('SELECT version FROM schema_version LIMIT 1');
  }

  /** Checks now; returns the problem (also reported to health), or null. */
  check(): string | null {
    const now = this.findProblem();
    if (now !== null) {
      if (now !== this.problem) this.health.fail('database', now);
    } else if (this.problem !== null) this.health.recover('database');
    this.problem = now;
    return now;
  }

  /** Checks every `periodMs` (unref'd: the watch never keeps the process alive). */
  start(periodMs = 10_000): void {
    if (this.timer) return;
    this.timer = setInterval(() => this.check(), periodMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  private findProblem(): string | null {
    if (this.main === null) return null; // not a file (`:memory:`)
    const main = fileId(this.file);
    if (main === null) return `database file ${this.file} removed under the service`;
    if (!same(main, this.main)) return `database file ${this.file} replaced under the service`;
    if (this.wal !== null) {
      const wal = fileId(`${this.file}-wal`);
      if (wal === null) return `database file ${this.file}-wal removed under the service`;
      if (!same(wal, this.wal)) return `database file ${this.file}-wal replaced under the service`;
    }
    try {
      this.probe.get();
    } catch (err) {
      const e = err as { code?: string; message?: string };
      return `database ${this.file} does not answer: ${e.code ?? 'error'}: ${e.message ?? String(err)}`;
    }
    return null;
  }
}
