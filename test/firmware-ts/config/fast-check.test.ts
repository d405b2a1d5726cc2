/**
 * The quick check of a configuration (config/fast-check.ts) against the zod schema it stands in
 * for: whenever it vouches for a configuration, the zod schema accepts it too and gives the same
 * configuration, defaults and all; it vouches for the shipped file and ordinary edits of it (or
 * it would save nothing); and its list of keys with rules JSON Schema cannot show is complete.
 * Runs on thousands of configurations made from the real config/default.json and config/schema.json.
 */
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import type { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { fastCheckConfig, REFINED } from '../../../firmware-ts/config/fast-check.js';
import { configSchema } from '../../../firmware-ts/config/schema.js';
import { DEFAULT_CONFIG_FILE, packagedConfigFile } from '../../../firmware-ts/paths.js';

const schema: unknown = JSON.parse(readFileSync(packagedConfigFile('schema.json'), 'utf8'));
const shipped = JSON.parse(readFileSync(DEFAULT_CONFIG_FILE, 'utf8')) as Record<string, unknown>;

/** Every leaf of the shipped file, as [path, value]. */
function leaves(v: unknown, path: string[] = []): [string[], unknown][] {
  if (v !== null && typeof v === 'object' && !Array.isArray(v)) return Object.entries(v).flatMap(([k, x]) => leaves(x, [...path, k]));
  return [[path, v]];
}
const LEAVES = leaves(shipped).filter(([p]) => p[0] !== '$schema');

function withValue(base: unknown, path: string[], value: unknown): unknown {
  const out = structuredClone(base) as Record<string, unknown>;
  let o = out;
  for (const k of path.slice(0, -1)) {
    if (o[k] === null || typeof o[k] !== 'object') o[k] = {};
    o = o[k] as Record<string, unknown>;
  }
  if (value === undefined) delete o[path.at(-1)!];
  else o[path.at(-1)!] = value;
  return out;
}

/** Values near and across every bound and type the schema has. */
const value = fc.oneof(
  fc.constantFrom(0, 1, -1, 2, 10, 64, 100, 640, 480, 1023, 1024, 3650, 3651, 65535, 65536, 0.5, 1.5, 4_000_000, 1e9, -0),
  fc.integer({ min: -100_000, max: 100_000 }),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.constantFrom(
    '',
    'x',
    '110105',
    '1101',
    'roadside',
    'gate',
    'window',
    'highway',
    'info',
    'loud',
    'zh',
    'en',
    'fr',
    'auto',
    'cr',
    'gpio',
    'led-class',
    'green',
    'red',
    'amber',
    'blue',
  ),
  fc.constantFrom(
    '127.0.0.1',
    'localhost',
    '::1',
    'example.com',
    'http://127.0.0.1:8/v1',
    'https://audit.example.org/v1',
    'http://example.org/',
    '.',
    '..',
    'roadscan:green',
    'mjpeg',
    'MJPEG',
    'nats://127.0.0.1:4222',
  ),
  fc.string({ maxLength: 80 }),
  fc.constantFrom(null, true, false, undefined),
  fc.array(fc.integer({ min: -10, max: 20_000 }), { maxLength: 22 }),
  fc.constantFrom([], ['127.0.0.1:4222'], ['nats://a:1', 'tls://b:2'], {}, { servers: ['127.0.0.1:4222'] }, { unknown: 1 }),
);

const edit = fc.record({ leaf: fc.integer({ min: 0, max: LEAVES.length - 1 }), value });
const extraKey = fc.record({
  at: fc.constantFrom([], ['audit'], ['station'], ['feedback', 'accept']),
  key: fc.constantFrom('screne', 'profil', 'x', '__proto__', 'constructor'),
});

function zodParse(v: unknown): z.ZodSafeParseResult<unknown> {
  return configSchema.safeParse(v);
}

describe('the quick configuration check vouches only for what the zod schema accepts, with the same result', () => {
  it('the shipped file, an empty object and a few good edits: vouched for, and equal to the zod result', () => {
    const good = [
      shipped,
      {},
      { profile: 'gate', station: { code: 'S110105001' } },
      { camera: { mode: 'alongside', width: 1280, height: 720 } },
      { gpio: { buzzerActiveLow: true, amber: null }, feedback: { accept: { buzzer: [] } } },
      { station: { shared: { servers: ['127.0.0.1:4222'], tls: { caFile: 'ca.pem' } } } },
    ];
    for (const g of good) {
      const quick = fastCheckConfig(g, schema);
      expect(quick, JSON.stringify(g)).not.toBeNull();
      expect(quick).toEqual(zodParse(g).data);
    }
  });

  it('on thousands of edited configurations', () => {
    let vouched = 0;
    fc.assert(
      fc.property(fc.array(edit, { maxLength: 4 }), fc.option(extraKey), fc.boolean(), (edits, extra, fromEmpty) => {
        let cfg: unknown = fromEmpty ? {} : shipped;
        for (const e of edits) cfg = withValue(cfg, LEAVES[e.leaf]![0], e.value);
        if (extra) cfg = withValue(cfg, [...extra.at, extra.key], 1);
        cfg = JSON.parse(JSON.stringify(cfg));
        const quick = fastCheckConfig(cfg, schema);
        const full = zodParse(cfg);
        if (quick !== null) {
          vouched++;
          expect(full.success, JSON.stringify(cfg)).toBe(true);
          expect(quick).toEqual(full.data);
        }
      }),
      { numRuns: 2000, seed: 20261201 },
    );
    // It must vouch for a fair share, or it would save nothing.
    expect(vouched).toBeGreaterThan(100);
  });

  it('a damaged or unknown schema file vouches for nothing', () => {
    expect(fastCheckConfig(shipped, null)).toBeNull();
    expect(fastCheckConfig(shipped, { type: 'object', properties: {}, additionalProperties: false })).toBeNull();
    expect(fastCheckConfig({}, { type: 'object', properties: { a: { default: 1, type: 'integer', if: {} } }, additionalProperties: false })).toBeNull();
    expect(fastCheckConfig({ a: 'x' }, { type: 'object', properties: { a: { type: 'string', pattern: '(' } }, additionalProperties: false })).toBeNull();
  });
});

describe('REFINED names every key whose zod schema has a rule JSON Schema cannot show', () => {
  it('walking the zod schema', () => {
    const found: string[] = [];
    const walk = (s: z.core.$ZodType, path: string): void => {
      const def = s._zod.def as unknown as {
        type: string;
        checks?: { _zod: { def: { check: string; format?: string } } }[];
        shape?: Record<string, z.core.$ZodType>;
        innerType?: z.core.$ZodType;
        element?: z.core.$ZodType;
      };
      for (const c of def.checks ?? []) {
        const { check, format } = c._zod.def;
        const shown =
          ['min_length', 'max_length', 'greater_than', 'less_than', 'number_format', 'multiple_of'].includes(check) || (check === 'string_format' && format === 'regex');
        if (!shown) found.push(path);
      }
      if (def.type === 'object') for (const [k, v] of Object.entries(def.shape!)) walk(v, path ? `${path}.${k}` : k);
      else if (def.innerType) walk(def.innerType, path);
      else if (def.type === 'array') walk(def.element!, `${path}.*`);
      else expect(['string', 'number', 'boolean', 'enum', 'unknown']).toContain(def.type);
    };
    walk(configSchema, '');
    expect([...new Set(found)].sort()).toEqual([...REFINED].sort());
  });
});
