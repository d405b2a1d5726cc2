/**
 * Where a program is: a path as given, or the first match on PATH. The capture thread looks
 * before it starts a child, so a missing ffmpeg is said as "not installed" even when the child
 * would be started through `prlimit` (whose own failure would only say "no such file").
 * @module
 */
import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';

function runnable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/** The program's path, or null when it is not there. */
export function findProgram(program: string, path = process.env.PATH ?? ''): string | null {
  if (program.includes('/')) return runnable(program) ? program : null;
  for (const dir of path.split(delimiter)) {
    if (dir !== '' && runnable(join(dir, program))) return join(dir, program);
  }
  return null;
}
