/**
 * Produces signed documents (docs/STATUS-LIST.md "Signed documents"): COSE_Sign, tag 98, a JSON
 * payload and one signature per signing key (Ed25519 or SM2, each key's own alg), as an authority's offline signing ceremony
 * would. Also the broken ones a scanner must refuse: a damaged signature, one key's signature
 * repeated, signatures by keys outside the root.
 * @module
 */
import { Tag } from 'cbor-x';
import { encodeCbor } from '../../firmware-ts/codec/cbor.js';
import { COSE_ALG } from '../../firmware-ts/crypto/public-key.js';
import { CONTENT_TYPE_JSON, COSE_SIGN_TAG, documentSigStructure } from '../../firmware-ts/signed/signed-document.js';
import { signWith, type SimKey } from './keys.js';

export interface DocumentSignOptions {
  /** Indices (into the signers) whose signature gets one bit flipped: a forgery. */
  damage?: number[];
}

/** The body's protected header: `{3: "application/json"}`. */
export function bodyProtectedBytes(): Uint8Array {
  return encodeCbor(new Map<number, unknown>([[3, CONTENT_TYPE_JSON]]));
}

/** A signature's protected header: `{1: alg, 4: kid}` (-8 or -65601). */
export function signProtectedBytes(key: SimKey): Uint8Array {
  return encodeCbor(
    new Map<number, unknown>([
      [1, COSE_ALG[key.alg]],
      [4, Uint8Array.from(key.kid)],
    ]),
  );
}

/**
 * Signs `payload` (the JSON text, exactly as it will be read) with every key of `signers`, in
 * order; a key given twice signs twice (the "counted twice" forgery).
 */
export function signDocument(payload: string | Uint8Array, signers: readonly SimKey[], opts: DocumentSignOptions = {}): Uint8Array {
  const payloadBytes = typeof payload === 'string' ? new TextEncoder().encode(payload) : payload;
  const body = bodyProtectedBytes();
  const signatures = signers.map((key, i) => {
    const sp = signProtectedBytes(key);
    const sig = signWith(key, documentSigStructure(body, sp, payloadBytes));
    if (opts.damage?.includes(i)) sig[sig.length - 1]! ^= 0x01;
    return [sp, new Map(), sig];
  });
  return encodeCbor(new Tag([body, new Map(), payloadBytes, signatures], COSE_SIGN_TAG));
}
