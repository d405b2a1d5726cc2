/**
 * The quick check of a configuration, read from config/schema.json (the JSON Schema generated
 * from the zod schema, kept current by a test), so every command's start-up need not load and
 * build the schema library: that was a third of a cold `roadscan verify`.
 *
 * It only ever vouches: it hands back the configuration with every default filled in, exactly
 * as the zod schema would, or `null` when it cannot vouch for the file: any problem at all, a
 * keyword it does not know, or a value where the zod schema has a rule JSON Schema cannot show
 * (`REFINED`, an upload URL for instance). `null` sends the file to the zod schema, which gives
 * the verdict and the messages, so a bad file is explained exactly as before. A test runs both
 * on many configurations and checks they agree. Bounded: one walk over a file already bounded
 * in size, at most `MAX_DEPTH` deep.
 * @module
 */
import { readFileSync } from 'node:fs';
import type { Config } from './schema.js';

type TypeName = 'object' | 'string' | 'number' | 'integer' | 'boolean' | 'array' | 'null';

/** The JSON Schema keywords of config/schema.json; a node with any other is not vouched for. */
interface SchemaNode {
  $schema?: string;
  title?: string;
  description?: string;
  type?: TypeName | TypeName[];
  properties?: Record<string, SchemaNode>;
  additionalProperties?: boolean;
  required?: string[];
  default?: unknown;
  anyOf?: SchemaNode[];
  enum?: unknown[];
  pattern?: string;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  multipleOf?: number;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
  items?: SchemaNode;
}

const KNOWN: ReadonlySet<string> = new Set([
  '$schema',
  'title',
  'description',
  'type',
  'properties',
  'additionalProperties',
  'required',
  'default',
  'anyOf',
  'enum',
  'pattern',
  'minimum',
  'maximum',
  'exclusiveMinimum',
  'multipleOf',
  'minLength',
  'maxLength',
  'minItems',
  'maxItems',
  'items',
]);

/**
 * Keys whose zod schema carries a rule of its own (a refinement, a URL check) that JSON Schema
 * does not show. A value there other than the default is left to the zod schema. A test walks
 * the zod schema and checks that this list names every such key.
 */
export const REFINED: readonly string[] = ['audit.uploadUrl', 'health.host', 'leds.green', 'leds.amber', 'leds.red', 'leds.buzzer', 'statusList.url'];
const REFINED_SET: ReadonlySet<string> = new Set(REFINED);

const MAX_DEPTH = 16;

/** Thrown inside the walk when the file cannot be vouched for; never leaves this module. */
const CANNOT_VOUCH = Symbol('cannot vouch');

function no(): never {
  throw CANNOT_VOUCH;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** The same value, fresh (a default handed out must not be shared between configurations). */
function copy<T>(v: T): T {
  return v === null || typeof v !== 'object' ? v : (JSON.parse(JSON.stringify(v)) as T);
}

const patterns = new Map<string, RegExp>();
function patternOf(source: string): RegExp {
  let re = patterns.get(source);
  if (!re) {
    re = new RegExp(source);
    patterns.set(source, re);
  }
  return re;
}

function checkKeywords(node: SchemaNode): void {
  for (const k of Object.keys(node)) if (!KNOWN.has(k)) no();
}

function walk(node: SchemaNode, value: unknown, path: string, depth: number): unknown {
  if (depth > MAX_DEPTH) no();
  checkKeywords(node);
  if (value === undefined) {
    // Absent and optional (`required` is checked by the object): absent in the result too.
    if (!('default' in node)) return undefined;
    // An object's default is its input (zod's prefault: `{}` fills in every default below it);
    // anything else's default is the value itself.
    if (node.type === 'object' && isPlainObject(node.default)) return walk(node, copy(node.default), path, depth);
    return copy(node.default);
  }
  if (node.anyOf) {
    // Only the form zod writes for `.nullable()`: [the schema, {"type": "null"}].
    if (node.anyOf.length !== 2 || node.anyOf[1]?.type !== 'null' || Object.keys(node.anyOf[1]).length !== 1) no();
    return value === null ? null : walk(node.anyOf[0]!, value, path, depth + 1);
  }
  if (node.enum && !node.enum.includes(value)) no();
  // ["boolean", "null"]: zod's `.nullable()` of a type without checks.
  if (Array.isArray(node.type)) {
    if (node.type.length !== 2 || node.type[1] !== 'null' || node.type[0] === 'object' || node.type[0] === 'array') no();
    return value === null ? null : walk({ ...node, type: node.type[0] }, value, path, depth + 1);
  }
  switch (node.type) {
    case 'object':
      return walkObject(node, value, path, depth);
    case 'array': {
      if (!Array.isArray(value)) no();
      if ((node.minItems !== undefined && value.length < node.minItems) || (node.maxItems !== undefined && value.length > node.maxItems)) no();
      if (!node.items) no();
      const items = node.items;
      return value.map((v, i) => walk(items, v, `${path}.${i}`, depth + 1));
    }
    case 'string':
      if (typeof value !== 'string') no();
      if ((node.minLength !== undefined && value.length < node.minLength) || (node.maxLength !== undefined && value.length > node.maxLength)) no();
      if (node.pattern !== undefined && !patternOf(node.pattern).test(value)) no();
      return value;
    case 'integer':
    case 'number':
      if (typeof value !== 'number' || !Number.isFinite(value)) no();
      if (node.type === 'integer' && !Number.isSafeInteger(value)) no();
      if (node.minimum !== undefined && value < node.minimum) no();
      if (node.maximum !== undefined && value > node.maximum) no();
      if (node.exclusiveMinimum !== undefined && value <= node.exclusiveMinimum) no();
      if (node.multipleOf !== undefined && value % node.multipleOf !== 0) no();
      return value;
    case 'boolean':
      if (typeof value !== 'boolean') no();
      return value;
    default:
      // No type (or `null` alone) is nothing zod writes for this configuration.
      return no();
  }
}

function walkObject(node: SchemaNode, value: unknown, path: string, depth: number): Record<string, unknown> {
  if (!isPlainObject(value) || node.additionalProperties !== false || !node.properties) no();
  const props = node.properties;
  for (const k of Object.keys(value)) if (!Object.hasOwn(props, k)) no();
  for (const k of node.required ?? []) if (value[k] === undefined) no();
  const out: Record<string, unknown> = {};
  for (const [k, child] of Object.entries(props)) {
    const at = path === '' ? k : `${path}.${k}`;
    if (REFINED_SET.has(at) && value[k] !== undefined && value[k] !== child.default) no();
    const v = walk(child, value[k], at, depth + 1);
    if (v !== undefined) out[k] = v;
  }
  return out;
}

/**
 * The configuration `value` with its defaults, when the JSON Schema `schema` vouches for it;
 * `null` when it cannot (then the zod schema decides).
 */
export function fastCheckConfig(value: unknown, schema: unknown): Config | null {
  if (!isPlainObject(schema)) return null;
  try {
    return walk(schema as SchemaNode, value, '', 0) as Config;
  } catch {
    // CANNOT_VOUCH, or anything else (a pattern a damaged schema file spoiled): the zod schema decides.
    return null;
  }
}

let loadedSchema: unknown;
/** config/schema.json, read once; `null` when it cannot be read (then the zod schema decides). */
export function packagedSchema(file: string): unknown {
  if (loadedSchema === undefined) {
    try {
      loadedSchema = JSON.parse(readFileSync(file, 'utf8'));
    } catch {
      loadedSchema = null;
    }
  }
  return loadedSchema;
}
