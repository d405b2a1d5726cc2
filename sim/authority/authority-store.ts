/**
 * A test authority saved in a folder, so `roadscan sim` calls can share keys:
 * `authority.json` (the seeds: test keys, never production ones), `trust.json`, and the root
 * keys in their own files (root-store.ts).
 * @module
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { saveRootGeneration } from './root-store.js';
import type { RootKeySet } from './root-keys.js';
import { TestAuthority } from './test-authority.js';

/**
 * Writes the authority. With `root`, the root keys go to their own files under `root/`
 * (root-store.ts), generation 1, and `trust.json`, the anchor a scanner is installed with, is a
 * version-2 list naming that root, running until `expires` (default 90 days from now); without, a version-1 list (no root: only configuration can
 * ever replace it).
 */
export function saveAuthority(dir: string, authority: TestAuthority, root?: RootKeySet, expires?: string): { authorityFile: string; trustFile: string } {
  mkdirSync(dir, { recursive: true });
  const authorityFile = join(dir, 'authority.json');
  const trustFile = join(dir, 'trust.json');
  // `alg` written for an SM2 authority only: an Ed25519 one reads exactly as before 1.2.
  const alg = authority.alg === 'SM2' ? { alg: 'SM2' } : {};
  writeFileSync(authorityFile, `${JSON.stringify({ note: 'roadscan test authority: TEST KEYS ONLY', ...alg, seeds: authority.seeds() }, null, 2)}\n`, { mode: 0o600 });
  if (root) saveRootGeneration(dir, 1, root);
  writeFileSync(
    trustFile,
    `${JSON.stringify(root ? authority.trustList(2, { root, ...(expires !== undefined ? { expires } : {}) }) : authority.trustList(), null, 2)}\n`,
  );
  return { authorityFile, trustFile };
}

export function loadAuthority(dir: string): TestAuthority {
  const file = join(dir, 'authority.json');
  let json: { seeds?: Record<string, string>; alg?: unknown };
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new Error(`${file}: cannot read a test authority (run \`roadscan sim init ${dir}\` first)`);
  }
  const s = json.seeds ?? {};
  for (const k of ['mps', 'mot', 'sl', 'holder']) {
    if (typeof s[k] !== 'string' || !/^[0-9a-f]{64}$/.test(s[k])) throw new Error(`${file}: seeds.${k} is not a 32-byte hex seed`);
  }
  if (json.alg !== undefined && json.alg !== 'SM2' && json.alg !== 'EdDSA') throw new Error(`${file}: alg is not EdDSA or SM2`);
  return TestAuthority.fromSeeds(s as Parameters<typeof TestAuthority.fromSeeds>[0], json.alg === 'SM2' ? 'SM2' : 'EdDSA');
}
