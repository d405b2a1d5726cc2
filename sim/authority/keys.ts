/**
 * Ed25519 keys of the test authority: a 32-byte seed, its public key and its kid.
 * @module
 */
import { randomBytes } from 'node:crypto';
import { kidOf } from '../../firmware-ts/verify/trust-list.js';
import { ed } from './noble.js';

export interface SimKey {
  seed: Uint8Array;
  publicKey: Uint8Array;
  /** First 8 bytes of SHA-256 of the public key. */
  kid: Uint8Array;
}

export function keyFromSeed(seed: Uint8Array): SimKey {
  if (seed.length !== 32) throw new Error('an Ed25519 seed is 32 bytes');
  const publicKey = ed.getPublicKey(seed);
  return { seed: Uint8Array.from(seed), publicKey, kid: new Uint8Array(kidOf(publicKey)) };
}

export function generateKey(): SimKey {
  return keyFromSeed(randomBytes(32));
}

export function signWith(key: SimKey, message: Uint8Array): Uint8Array {
  return ed.sign(message, key.seed);
}
