/**
 * The known-answer vectors of docs/vectors.json (the spec's own file, see docs/CREDENTIALS.md), typed.
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
  /** Signed documents (docs/STATUS-LIST.md "Signed documents"): COSE_Sign under fixed root keys. */
  signedDocuments: {
    about: string;
    /** Spec 1.2: the instant at which each case's `serves` holds. */
    checkedAt: string;
    rootKeys: { seed: string; publicKey: string; kid: string }[];
    installed: unknown;
    cases: {
      name: string;
      authorised: boolean;
      /** Spec 1.2: whether a scanner checking it at `checkedAt` takes it (authorised, and carrying an `expires` not yet past). */
      serves: boolean;
      document: {
        payload: string;
        bodyProtected: string;
        signatures: { kid: string; signProtected: string; sigStructure: string }[];
        cose: string;
      };
    }[];
  };
}

/** The spec's vectors, kept in docs/ beside the spec text (test/docs/docs-in-step.test.ts keeps it current). */
export const VECTORS_FILE = join(PACKAGE_ROOT, 'docs', 'vectors.json');
export const vectors: Vectors = JSON.parse(readFileSync(VECTORS_FILE, 'utf8'));
export const hex = (s: string) => Buffer.from(s, 'hex');
