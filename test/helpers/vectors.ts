/**
 * The known-answer vectors of ../shared/spec/vectors.json, typed.
 * @module
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PACKAGE_ROOT } from '../../firmware-ts/paths.js';

export interface Stage {
  payload: string;
  protected: string;
  sigStructure: string;
  cose: string;
  body: string;
}

export interface Vector {
  name: string;
  note: string;
  now: string;
  profile: 'roadside' | 'window' | 'gate';
  region: string;
  station?: string;
  qr: string;
  stages: { credential: Stage; presentation?: Stage };
  expect: { verdict: 'accept' | 'warn' | 'reject'; reasons: string[] };
}

export interface Vectors {
  keys: Record<'mps' | 'mot' | 'sl' | 'holder', { seed: string; publicKey: string; kid: string }>;
  trust: unknown;
  vectors: Vector[];
  statusList: { note: string; entryKeys: Record<string, string>; files: Record<string, string> };
}

/** A copy of ../shared/spec/vectors.json, so a bare clone runs the same known-answer tests. */
export const VECTORS_FILE = join(PACKAGE_ROOT, 'test', 'fixtures', 'spec-vectors.json');
export const vectors: Vectors = JSON.parse(readFileSync(VECTORS_FILE, 'utf8'));
export const hex = (s: string) => Buffer.from(s, 'hex');
