/**
 * One signature check for every signer (docs/CREDENTIALS.md section 2, docs/STATUS-LIST.md "Signed
 * documents"): the COSE header's `alg` must be the algorithm of the key that is to verify it,
 * otherwise the signature is bad whatever its bytes; then Ed25519 through node:crypto or SM2
 * with SM3 (crypto/sm2.ts). Issuer, holder, manifest and root signatures all come through here.
 * @module
 */
import { COSE_ALG, type PublicKey } from '../crypto/public-key.js';
import { Ed25519Verifier } from './ed25519.js';

export class SignatureVerifier {
  private readonly ed25519 = new Ed25519Verifier();

  /** Whether `signature` over `message` is `key`'s, under the COSE `alg` the header gives. */
  verify(key: PublicKey, coseAlg: number, message: Uint8Array, signature: Uint8Array): boolean {
    if (coseAlg !== COSE_ALG[key.alg]) return false;
    return key.alg === 'SM2' ? key.sm2.verify(message, signature) : this.ed25519.verify(key.raw, message, signature);
  }
}
