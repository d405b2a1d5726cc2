/**
 * The kid of a key (docs/CREDENTIALS.md section 2): the first 8 bytes of SHA-256 of the public key
 * as the trust list carries it (the raw 32-byte Ed25519 key, or the 65-byte uncompressed SM2
 * point). One definition for issuer keys and root keys alike.
 * @module
 */
import { createHash } from 'node:crypto';

export function kidOf(publicKey: Uint8Array): Buffer {
  return createHash('sha256').update(publicKey).digest().subarray(0, 8);
}
