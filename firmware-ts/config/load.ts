/**
 * Loads and validates the configuration file. Every error names the key path and what was
 * expected, so a technician can fix a file without reading code. The quick check
 * (fast-check.ts) answers for a good file; the zod schema (parse.ts) is loaded for any other.
 * @module
 */
import { readFileSync, statSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { DEFAULT_CONFIG_FILE, packagedConfigFile } from '../paths.js';
import { ConfigError } from './config-error.js';
import { fastCheckConfig, packagedSchema } from './fast-check.js';
import { syntaxErrorOffset } from './json-position.js';
import type { Config } from './schema.js';

export { ConfigError };

const MAX_CONFIG_BYTES = 1 << 20;

export interface LoadedConfig {
  config: Config;
  /** The file it came from. */
  file: string;
  /** Resolves a path from the file against the file's own folder. */
  resolvePath(p: string): string;
}

/**
 * Reads and checks a configuration file. A file the quick check vouches for never loads the zod
 * schema; any other goes to it, for the verdict and the messages (docs/CLI.md, `config check`).
 */
export async function loadConfig(file: string = DEFAULT_CONFIG_FILE): Promise<LoadedConfig> {
  const abs = resolve(file);
  let text: string;
  try {
    if (statSync(abs).size > MAX_CONFIG_BYTES) throw new ConfigError(abs, ['file larger than 1 MiB']);
    text = readFileSync(abs, 'utf8');
  } catch (err) {
    if (err instanceof ConfigError) throw err;
    throw new ConfigError(abs, [`cannot read: ${(err as NodeJS.ErrnoException).code ?? String(err)}`]);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    const message = `not valid JSON (${(err as Error).message})`;
    const offset = syntaxErrorOffset((err as Error).message, text);
    throw new ConfigError(abs, [offset === null ? { path: null, message } : { path: null, message, offset }]);
  }
  const config = fastCheckConfig(json, packagedSchema(packagedConfigFile('schema.json'))) ?? (await import('./parse.js')).parseConfig(json, abs);
  const dir = dirname(abs);
  return { config, file: abs, resolvePath: (p) => (isAbsolute(p) ? p : resolve(dir, p)) };
}
