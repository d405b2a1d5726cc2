/**
 * Keys of the test authority: a 32-byte seed, its algorithm, its public key and its kid. Ed25519
 * keys sign with @noble/ed25519; SM2 keys with sm-crypto-v2, a library the scanner does not
 * verify with (it uses @noble/curves with node:crypto's SM3), so every SM2 test holds one
 * implementation against another. An SM2 seed becomes the private key as the spec's vectors
 * make it: `(seed mod (n - 1)) + 1`.
 * @module
 */
import { randomBytes } from 'node:crypto';
import { sm2 } from 'sm-crypto-v2';
import type { SignatureAlg } from '../../firmware-ts/crypto/public-key.js';
import { kidOf } from '../../firmware-ts/verify/trust-list.js';
import { ed } from './noble.js';

export interface SimKey {
  alg: SignatureAlg;
  seed: Uint8Array;
  /** The raw 32-byte Ed25519 key, or the 65-byte uncompressed SM2 point. */
  publicKey: Uint8Array;
  /** First 8 bytes of SHA-256 of the public key. */
  kid: Uint8Array;
}

/** The order of the SM2 curve's base point (GB/T 32918.5). */
const SM2_N = 0xfffffffeffffffffffffffffffffffff7203df6b21c6052b53bbf40939d54123n;

/** The SM2 private key of a seed, 64 hex digits. */
export function sm2PrivateKeyHex(seed: Uint8Array): string {
  const d = (BigInt(`0x${Buffer.from(seed).toString('hex')}`) % (SM2_N - 1n)) + 1n;
  return d.toString(16).padStart(64, '0');
}

export function keyFromSeed(seed: Uint8Array, alg: SignatureAlg = 'EdDSA'): SimKey {
  if (seed.length !== 32) throw new Error('a key seed is 32 bytes');
  const publicKey = alg === 'SM2' ? Buffer.from(sm2.getPublicKeyFromPrivateKey(sm2PrivateKeyHex(seed)), 'hex') : ed.getPublicKey(seed);
  return { alg, seed: Uint8Array.from(seed), publicKey: Uint8Array.from(publicKey), kid: new Uint8Array(kidOf(publicKey)) };
}

export function generateKey(alg: SignatureAlg = 'EdDSA'): SimKey {
  return keyFromSeed(randomBytes(32), alg);
}

export function signWith(key: SimKey, message: Uint8Array): Uint8Array {
  if (key.alg === 'EdDSA') return ed.sign(message, key.seed);
  // hash: e = SM3(Z || M) with the default user ID; r || s in hex, never DER.
  const sig = sm2.doSignature(message, sm2PrivateKeyHex(key.seed), { hash: true, der: false, publicKey: Buffer.from(key.publicKey).toString('hex') });
  return Uint8Array.from(Buffer.from(sig, 'hex'));
}
