/**
 * Ed25519 signing keys through node:crypto only (the appliance verifies with its own code path), so
 * a bug shared by signer and verifier cannot hide. Keys are fresh on every run unless a test pins a
 * seed to reproduce the spec's known-answer vectors.
 * @module
 */
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';

/** DER prefix of a PKCS#8 Ed25519 private key (RFC 8410); the 32-byte seed follows it. */
const PKCS8_ED25519_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

/** A signing key with its raw public key and COSE kid (first 8 bytes of SHA-256 of the public key). */
export class Ed25519Key {
  readonly publicKey: Uint8Array;
  readonly kid: Uint8Array;

  private constructor(private readonly privateKey: KeyObject) {
    const jwk = createPublicKey(privateKey).export({ format: 'jwk' });
    this.publicKey = new Uint8Array(Buffer.from(String(jwk.x), 'base64url'));
    this.kid = new Uint8Array(createHash('sha256').update(this.publicKey).digest().subarray(0, 8));
  }

  /** A new random key (fresh on every run). */
  static generate(): Ed25519Key {
    return new Ed25519Key(generateKeyPairSync('ed25519').privateKey);
  }

  /** The key of a fixed 32-byte seed (only for reproducing published vectors). */
  static fromSeed(seed: Uint8Array): Ed25519Key {
    const der = Buffer.concat([PKCS8_ED25519_PREFIX, Buffer.from(seed)]);
    return new Ed25519Key(createPrivateKey({ key: der, format: 'der', type: 'pkcs8' }));
  }

  /** Pure Ed25519 signature (64 bytes) over `message`. */
  sign(message: Uint8Array): Uint8Array {
    return new Uint8Array(sign(null, message, this.privateKey));
  }
}
