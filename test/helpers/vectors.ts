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

/** An SM2 stage: the signer's Z, e = SM3(Z || M), the fixed nonce and the signature r || s. */
export interface Sm2Stage extends Stage {
  signer: string;
  z?: string;
  e?: string;
  k?: string;
  signature: string;
}

export type Sm2KeyName = 'issuer' | 'holder' | 'sl' | 'root1' | 'root2' | 'root3';

/** The `sm2` section (spec 1.2, docs/CREDENTIALS.md section 2): the same stages with SM2 keys. */
export interface Sm2Vectors {
  curve: Record<'p' | 'a' | 'b' | 'n' | 'gx' | 'gy', string>;
  userId: string;
  keys: Record<Sm2KeyName, { seed: string; label: string; privateKey: string; publicKey: string; kid: string }>;
  sm3: { message: string; digest: string }[];
  z: { key: Sm2KeyName; userId: string; input: string; z: string };
  trust: unknown;
  vectors: (Omit<Vector, 'stages'> & { stages: { credential: Sm2Stage; presentation?: Sm2Stage } })[];
  statusList: { note: string; entryKeys: Record<string, string>; manifest: Sm2Stage; files: Record<string, string> };
  signedDocuments: {
    checkedAt: string;
    rootKeys: Sm2KeyName[];
    installed: unknown;
    cases: {
      name: string;
      authorised: boolean;
      serves: boolean;
      document: {
        payload: string;
        bodyProtected: string;
        signatures: { kid: string; signer: Sm2KeyName; signProtected: string; sigStructure: string; z: string; e: string; signature: string }[];
        cose: string;
      };
    }[];
  };
  refusedTrust: { name: string; note: string; refused: boolean; trust: unknown }[];
}

export interface Vectors {
  /** Spec 1.2: the SM2 vectors. */
  sm2: Sm2Vectors;
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
