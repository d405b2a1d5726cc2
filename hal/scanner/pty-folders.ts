/**
 * The folders of `--scanner pty` (`$TMPDIR/roadscan-pty-*`, holding the pair's two links). A
 * service that stops removes its own; one killed outright cannot, so each folder names its
 * owner's process id in an `owner` file, and the next start removes the folders whose owner is
 * gone (their socat was ended with it: pty-pair.ts). A folder without an owner file is stale when
 * its device link no longer leads anywhere. Never throws: a folder that cannot be read or removed
 * is left as it is.
 * @module
 */
import { existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const PREFIX = /^roadscan-pty-[A-Za-z0-9]{1,32}$/;
/** A folder without an owner file younger than this is left alone (it may be starting). */
const YOUNG_MS = 60_000;

/** Marks `dir` as this process's. */
export function claimPtyFolder(dir: string, pid: number = process.pid): void {
  writeFileSync(join(dir, 'owner'), `${pid}\n`, { mode: 0o600 });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: a process of another user holds that id; it is alive.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** True when nothing owns `dir` any more. */
export function isStalePtyFolder(dir: string, nowMs: number = Date.now()): boolean {
  try {
    const pid = Number(readFileSync(join(dir, 'owner'), 'utf8').trim());
    if (Number.isInteger(pid) && pid > 0) return !alive(pid);
  } catch {
    // No owner file: made before owners were written, a start cut short, or one being made now.
  }
  try {
    // A folder another start is making this instant has no owner file for a moment yet.
    if (nowMs - statSync(dir).mtimeMs < YOUNG_MS) return false;
  } catch {
    return false;
  }
  // existsSync follows the link: false when /dev/pts/N behind it is gone.
  return !existsSync(join(dir, 'scanner'));
}

/** Removes the stale pty folders in `tmp`; returns how many went. */
export function sweepStalePtyFolders(tmp: string): number {
  let removed = 0;
  let names: string[] = [];
  try {
    names = readdirSync(tmp).filter((n) => PREFIX.test(n));
  } catch {
    return 0;
  }
  for (const name of names.slice(0, 1000)) {
    const dir = join(tmp, name);
    if (!isStalePtyFolder(dir)) continue;
    try {
      rmSync(dir, { recursive: true, force: true });
      removed++;
    } catch {
      // Another user's folder, or already gone.
    }
  }
  return removed;
}
