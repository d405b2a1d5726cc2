/**
 * The full check of a configuration by the zod schema: the verdict on every file the quick check
 * (fast-check.ts) cannot vouch for, and every message naming a bad key and what was expected, so
 * a technician can fix a file without reading code. Loaded only when needed: building the schema
 * costs more than a whole `roadscan verify` of a good file.
 * @module
 */
import type { z } from 'zod';
import { ConfigError } from './config-error.js';
import { configSchema, type Config } from './schema.js';

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
