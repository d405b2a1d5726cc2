/**
 * The test authority's root keys on disk, kept apart from `authority.json` (issuer, SL and
 * holder seeds): a folder `root/` beside it with, per root generation G, the public
 * `root-G.json` and one file per key, `root-G-key-K.json`, as each custodian of a real
 * authority keeps one key offline. The highest G is the root in force; lower ones are retired
 * by the rotations that followed them (kept so tests can sign with a retired root).
 * @module
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SignatureAlg } from '../../firmware-ts/crypto/public-key.js';
import { rootFromSeeds, rootJsonOf, type RootKeySet } from './root-keys.js';

const ROOT_DIR = 'root';
const PUBLIC_RE = /^root-(\d+)\.json$/;

export function rootDir(authorityDir: string): string {
  return join(authorityDir, ROOT_DIR);
}

/** Writes generation `gen` of the root (public file, then one seed file per key). */
export function saveRootGeneration(authorityDir: string, gen: number, root: RootKeySet): void {
  const dir = rootDir(authorityDir);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  root.keys.forEach((k, i) => {
    const file = join(dir, `root-${gen}-key-${i + 1}.json`);
    const note = 'roadscan test authority: ONE ROOT KEY, TEST ONLY. A real root key lives offline with its own custodian.';
    const alg = k.alg === 'SM2' ? { alg: 'SM2' } : {};
    writeFileSync(file, `${JSON.stringify({ note, seed: Buffer.from(k.seed).toString('hex'), ...alg }, null, 2)}\n`, { mode: 0o600 });
  });
  writeFileSync(join(dir, `root-${gen}.json`), `${JSON.stringify(rootJsonOf(root), null, 2)}\n`);
}

/** Generations held, oldest first. */
export function rootGenerations(authorityDir: string): number[] {
  const dir = rootDir(authorityDir);
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .map((f) => PUBLIC_RE.exec(f)?.[1])
    .filter((g): g is string => g !== undefined)
    .map(Number)
    .sort((a, b) => a - b);
}

export function loadRootGeneration(authorityDir: string, gen: number): RootKeySet {
  const dir = rootDir(authorityDir);
  const pub = JSON.parse(readFileSync(join(dir, `root-${gen}.json`), 'utf8')) as { threshold: number; keys: unknown[] };
  const algs: SignatureAlg[] = [];
  const seeds = pub.keys.map((_, i) => {
    const file = join(dir, `root-${gen}-key-${i + 1}.json`);
    const { seed, alg } = JSON.parse(readFileSync(file, 'utf8')) as { seed?: unknown; alg?: unknown };
    if (typeof seed !== 'string' || !/^[0-9a-f]{64}$/.test(seed)) throw new Error(`${file}: seed is not a 32-byte hex seed`);
    algs.push(alg === 'SM2' ? 'SM2' : 'EdDSA');
    return seed;
  });
  return rootFromSeeds(pub.threshold, seeds, algs);
}

/** The root in force (highest generation), or null when the authority has none yet. */
export function currentRoot(authorityDir: string): { gen: number; root: RootKeySet } | null {
  const gens = rootGenerations(authorityDir);
  const gen = gens.at(-1);
  return gen === undefined ? null : { gen, root: loadRootGeneration(authorityDir, gen) };
}
