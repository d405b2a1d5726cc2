/**
 * Vitest global setup: rebuild the CLI before the tests when any source is newer than the bundle.
 *
 * Tests that spawn `bin/roadscan.js` run the bundle in `dist/`, not the sources vitest compiles, so
 * `npx vitest run test/x.test.ts` right after an edit would otherwise test yesterday's code. The
 * check is a walk of modification times (files and folders, so a moved or deleted file counts too)
 * and costs a few milliseconds when the bundle is current; `npm test` builds in its pretest step,
 * after which this finds nothing to do.
 * @module
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** What the build reads: the compiled folders, the data it ships, and the build's own settings. */
export const BUILD_INPUTS = ['firmware-ts', 'hal', 'sim', 'config', 'scripts', 'tsconfig.json', 'tsconfig.build.json', 'package.json'];

/** The file the build writes last (the bundle `bin/roadscan.js` runs). */
export const BUILD_OUTPUT = join('dist', 'bundle', 'main.js');

/** The newest modification time under `path` (a file, or a folder and everything in it), in ms; 0 if absent. */
export function newestMtime(path: string): number {
  let stat;
  try {
    stat = statSync(path);
  } catch {
    return 0;
  }
  let newest = stat.mtimeMs;
  if (stat.isDirectory()) {
    for (const entry of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, entry)));
  }
  return newest;
}

/** Why the build output under `root` is out of date, or null when it is current. */
export function staleReason(root: string, inputs: readonly string[] = BUILD_INPUTS, output: string = BUILD_OUTPUT): string | null {
  const built = newestMtime(join(root, output));
  if (built === 0) return `${output} does not exist`;
  for (const input of inputs) {
    if (newestMtime(join(root, input)) > built) return `${input}/ changed after ${output} was built`;
  }
  return null;
}

export default function setup(): void {
  const reason = staleReason(ROOT);
  if (reason === null) return;
  process.stderr.write(`vitest setup: building the CLI first (${reason})\n`);
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const result = spawnSync(npm, ['run', '--silent', 'build'], { cwd: ROOT, stdio: 'inherit' });
  if (result.status !== 0) {
    throw new Error('vitest setup: `npm run build` failed, so the tests that spawn bin/roadscan.js would run stale code; fix the build first');
  }
}
