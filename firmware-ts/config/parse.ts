/**
 * The full check of a configuration by the zod schema: the verdict on every file the quick check
 * (fast-check.ts) cannot vouch for, and every message naming a bad key and what was expected, so
 * a technician can fix a file without reading code. Loaded only when needed: building the schema
 * costs more than a whole `roadscan verify` of a good file.
 * @module
 */
import type { z } from 'zod';
import { didYouMean } from '../core/did-you-mean.js';
import { ConfigError, type ConfigProblem } from './config-error.js';
import { configSchema, type Config } from './schema.js';

type Path = readonly (string | number)[];

/** The keys the schema knows in the object at `path` (empty when it is no object of the schema). */
export function knownKeysAt(path: Path): string[] {
  let s = configSchema as unknown as z.core.$ZodType;
  const unwrap = () => {
    for (let d = s._zod.def as { innerType?: z.core.$ZodType }; d.innerType; d = s._zod.def as { innerType?: z.core.$ZodType }) s = d.innerType;
  };
  for (const step of path) {
    unwrap();
    const def = s._zod.def as { type: string; shape?: Record<string, z.core.$ZodType>; element?: z.core.$ZodType };
    const next = def.type === 'object' && typeof step === 'string' ? def.shape?.[step] : def.type === 'array' ? def.element : undefined;
    if (!next) return [];
    s = next;
  }
  unwrap();
  const def = s._zod.def as { type: string; shape?: Record<string, unknown> };
  return def.type === 'object' && def.shape ? Object.keys(def.shape) : [];
}

/** `unknown key "screne"; did you mean "screen"?` (the key quoted as JSON: control characters stay visible and harmless). */
export function unknownKeyMessage(key: string, path: Path): string {
  const near = didYouMean(key, knownKeysAt(path));
  return `unknown key ${JSON.stringify(key)}${near === null ? '' : `; did you mean ${JSON.stringify(near)}?`}`;
}

/** One problem per bad key: several unknown keys in one object are several problems. */
function describeIssue(issue: z.core.$ZodIssue): ConfigProblem[] {
  const path = issue.path.map((p) => (typeof p === 'number' ? p : String(p)));
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((k) => ({ path: [...path, k], message: unknownKeyMessage(k, path), atKey: true }));
  }
  return [{ path, message: issue.message }];
}

/** Validates an already-parsed object; throws ConfigError naming every bad key. */
export function parseConfig(value: unknown, file = '(inline)'): Config {
  const result = configSchema.safeParse(value);
  if (!result.success) throw new ConfigError(file, result.error.issues.flatMap(describeIssue));
  return result.data;
}
