/**
 * Loads and validates the configuration file. Every error names the key path and what was
 * expected, so a technician can fix a file without reading code.
 * @module
 */
import { readFileSync, statSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import type { z } from 'zod';
import { DEFAULT_CONFIG_FILE } from '../paths.js';
import { configSchema, type Config } from './schema.js';

const MAX_CONFIG_BYTES = 1 << 20;

/** A configuration that cannot be used; `message` is one line (or one line per problem). */
export class ConfigError extends Error {
  readonly problems: string[];
  constructor(file: string, problems: string[]) {
    super(`${file}: ${problems.join('; ')}`);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

export interface LoadedConfig {
  config: Config;
  /** The file it came from. */
  file: string;
  /** Resolves a path from the file against the file's own folder. */
  resolvePath(p: string): string;
}

/** One problem per bad key: several unknown keys in one object are several problems. */
function describeIssue(issue: z.core.$ZodIssue): string[] {
  const path = issue.path.map(String).join('.');
  if (issue.code === 'unrecognized_keys') {
    const prefix = path ? `${path}.` : '';
    return issue.keys.map((k) => `${prefix}${k}: unknown key`);
  }
  return [`${path || '(top level)'}: ${issue.message}`];
}

/** Validates an already-parsed object; throws ConfigError naming every bad key. */
export function parseConfig(value: unknown, file = '(inline)'): Config {
  const result = configSchema.safeParse(value);
  if (!result.success) throw new ConfigError(file, result.error.issues.flatMap(describeIssue));
  return result.data;
}

export function loadConfig(file: string = DEFAULT_CONFIG_FILE): LoadedConfig {
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
    throw new ConfigError(abs, [`not valid JSON (${(err as Error).message})`]);
  }
  const config = parseConfig(json, abs);
  const dir = dirname(abs);
  return { config, file: abs, resolvePath: (p) => (isAbsolute(p) ? p : resolve(dir, p)) };
}
