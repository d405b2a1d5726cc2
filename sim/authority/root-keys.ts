/**
 * The authority's offline root (docs/STATUS-LIST.md "Signed documents"): n keys (Ed25519 or SM2) and the
 * threshold k of them that must sign a trust list or a rules document. The keys are never the SL
 * key or an issuer key; in a real authority each lives with a different custodian, offline.
 * @module
 */
import type { SignatureAlg } from '../../firmware-ts/crypto/public-key.js';
import { generateKey, keyFromSeed, type SimKey } from './keys.js';

export interface RootKeySet {
  threshold: number;
  keys: SimKey[];
}

export interface RootJson {
  threshold: number;
  keys: { kid: string; key: string; alg?: 'SM2' }[];
}

export function generateRoot(n = 3, threshold = 2, alg: SignatureAlg = 'EdDSA'): RootKeySet {
  if (!Number.isInteger(n) || n < 1 || n > 32) throw new Error('a root has 1 to 32 keys');
  if (!Number.isInteger(threshold) || threshold < 1 || threshold > n) throw new Error(`a threshold is 1 to ${n}`);
  return { threshold, keys: Array.from({ length: n }, () => generateKey(alg)) };
}

export function rootFromSeeds(threshold: number, seeds: string[], algs: readonly SignatureAlg[] = []): RootKeySet {
  return { threshold, keys: seeds.map((s, i) => keyFromSeed(Buffer.from(s, 'hex'), algs[i] ?? 'EdDSA')) };
}

/** The `root` member of a trust list version 2: public keys only. */
export function rootJsonOf(root: RootKeySet): RootJson {
  return {
    threshold: root.threshold,
    // `alg` written for SM2 keys only: an Ed25519 root reads exactly as before 1.2.
    keys: root.keys.map((k) => ({
      kid: Buffer.from(k.kid).toString('base64url'),
      key: Buffer.from(k.publicKey).toString('base64url'),
      ...(k.alg === 'SM2' ? { alg: 'SM2' as const } : {}),
    })),
  };
}
