/**
 * The status list's data directory, next to the database file (`<db>.status/`): verified
 * snapshot files with their sparse index, and the temporary files of a running sync.
 *
 * Only the files the state row names belong to the list; anything else that matches our
 * patterns is left over from an interrupted sync or a replaced snapshot and may be deleted by
 * whoever holds the sync lock.
 * @module
 */
import { closeSync, fsyncSync, mkdirSync, openSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';

/** Where the snapshot files of the database `dbFile` live. */
export function statusDataDir(dbFile: string): string {
  return `${dbFile}.status`;
}

export function snapshotFileName(seq: number, baseId: number): string {
  return `snap-${seq}-${baseId.toString(36)}.rss`;
}

export function indexFileFor(snapshotFile: string): string {
  return snapshotFile.replace(/\.rss$/, '.idx');
}

export function tempFileName(token: string, what: string): string {
  return `.tmp-${token}-${what}`;
}

const OURS = /^(snap-\d+-[0-9a-z]+\.(rss|idx)|\.tmp-.+)$/;

/** Whether `dir` holds a file of ours that `keep` does not name (what removeOrphanFiles would remove). */
export function hasOrphanFiles(dir: string, keep: ReadonlySet<string>): boolean {
  try {
    return readdirSync(dir).some((name) => OURS.test(name) && !keep.has(name));
  } catch {
    return false;
  }
}

export function ensureDir(dir: string): void {
  mkdirSync(dir, { recursive: true });
}

/** Makes a file's directory entry durable (a rename or a create survives a power cut). */
export function fsyncDir(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Deletes our files in `dir` except `keep`; returns how many went. Never throws. */
export function removeOrphanFiles(dir: string, keep: ReadonlySet<string>): number {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return 0;
  }
  let removed = 0;
  for (const name of names) {
    if (!OURS.test(name) || keep.has(name)) continue;
    try {
      rmSync(join(dir, name), { force: true });
      removed++;
    } catch {
      // A file we cannot delete now is retried at the next sync.
    }
  }
  return removed;
}

/** Deletes one file if it exists. Never throws. */
export function removeQuietly(file: string): void {
  try {
    rmSync(file, { force: true });
  } catch {
    // retried by the orphan sweep
  }
}
