/**
 * The signature of a checkpoint with the device key, Ed25519 or SM2 (with SM3 and the default
 * user ID `1234567812345678`, as docs/CREDENTIALS.md signs with SM2), defined once for the log and
 * the writer's worker thread. The worker runs it from its text, so it uses only its arguments.
 *
 * SM2 signs with sm-crypto-v2 (a dependency already: the simulator's authority signs with it):
 * node:crypto has no SM2 signature (its `sign('sm3')` on an SM2-curve key is ECDSA), the worker can
 * load a CommonJS package by path but not the product's ESM `crypto/sm2.ts`, and the product
 * checks the signatures with its own verifier (crypto/sm2.ts, @noble/curves): one implementation
 * held against another, and the tests add sm-crypto as a third.
 * @module
 */
import type * as NodeCrypto from 'node:crypto';
import { createRequire } from 'node:module';
import type { SigningKey } from './audit-chain.js';

const require = createRequire(import.meta.url);

/** Where sm-crypto-v2 is, for a worker thread to load it (by path, as it loads better-sqlite3). */
export function sm2SignerPath(): string {
  return require.resolve('sm-crypto-v2');
}

/** sm-crypto-v2's `sm2`, loaded only when an SM2 key signs. */
export function loadSm2Signer(): Sm2Signer {
  return (require('sm-crypto-v2') as { sm2: Sm2Signer }).sm2;
}

/** The signer of `key` in this thread. */
export function signerOf(crypto: typeof NodeCrypto, key: SigningKey): (message: Buffer) => Buffer {
  return checkpointSigner(crypto, key.alg === 'SM2' ? loadSm2Signer() : null, key);
}

/** The one call of sm-crypto-v2's `sm2` this file makes. */
export interface Sm2Signer {
  doSignature(msg: Uint8Array, privateKeyHex: string, opts: { hash: boolean; der: boolean; publicKey: string }): string;
}

/**
 * A function signing checkpoint messages with `key`. `sm2` is sm-crypto-v2's `sm2`, needed only
 * for an SM2 key, which comes with its scalar and point (device-key.ts read them from the PEM).
 */
export function checkpointSigner(crypto: typeof NodeCrypto, sm2: Sm2Signer | null, key: SigningKey): (message: Buffer) => Buffer {
  if (key.alg === 'Ed25519') {
    const privateKey = crypto.createPrivateKey(key.pem);
    return (message) => crypto.sign(null, message, privateKey);
  }
  const pair = key.sm2;
  if (!sm2 || !pair) throw new Error('device key: SM2 signing is not available');
  return (message) => Buffer.from(sm2.doSignature(message, pair.d, { hash: true, der: false, publicKey: pair.point }), 'hex');
}
