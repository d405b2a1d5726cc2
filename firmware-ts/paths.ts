/**
 * Where the package lives, whether running from source (vitest) or from `dist/` (the CLI).
 * @module
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

function findRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'config', 'default.json'))) return dir;
    const up = dirname(dir);
    if (up === dir) throw new Error('roadscan: cannot find the package root');
    dir = up;
  }
}

/** Absolute path of the repository (package) root. */
export const PACKAGE_ROOT = findRoot();
export const DEFAULT_CONFIG_FILE = join(PACKAGE_ROOT, 'config', 'default.json');
/** The package's version (package.json), for `--version` and `roadscan_build_info`. */
export const PACKAGE_VERSION: string = String((JSON.parse(readFileSync(join(PACKAGE_ROOT, 'package.json'), 'utf8')) as { version?: unknown }).version ?? 'unknown');
export const DEFAULT_DB_FILE = join(PACKAGE_ROOT, 'data', 'roadscan.db');

/** A data file shipped in config/, unless the configuration names another. */
export function packagedConfigFile(name: string): string {
  return join(PACKAGE_ROOT, 'config', name);
}
