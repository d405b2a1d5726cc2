/**
 * Who may change what (docs/STATUS-LIST.md, "Signed documents"): a document is authorised when
 * at least `threshold` DISTINCT keys of the root in force have signed it validly. Signatures by
 * any other key (an issuer's, the SL key's, a stranger's) are ignored, never counted; a root key
 * that signs twice counts once. A trust list that rotates the root must, in addition, carry the
 * new root's own threshold of its own keys, so a rotation can neither be forced on the new key
 * holders nor made by them alone (TUF's root rotation).
 *
 * Pure: the verifier is passed in; the answer says which keys counted, for the log line.
 * @module
 */
import { SignatureVerifier } from '../verify/signature-verifier.js';
import type { Root } from '../verify/trust-root.js';
import { documentSigStructure, type SignedDocument } from './signed-document.js';

export interface Authorisation {
  authorised: boolean;
  /** Hex kids of the root keys whose valid signature counted, in document order. */
  counted: string[];
  threshold: number;
}

const sharedVerifier = new SignatureVerifier();

/** Counts the distinct keys of `root` that validly signed `doc`. */
export function authorise(doc: SignedDocument, root: Root, verifier: SignatureVerifier = sharedVerifier): Authorisation {
  const counted: string[] = [];
  for (const sig of doc.signatures) {
    const key = root.byKid(sig.kidHex);
    // Not a key of this root: ignored, never verified, never counted.
    if (!key) continue;
    // Already counted: a second signature by the same key adds nothing (and costs nothing).
    if (counted.includes(sig.kidHex)) continue;
    // A signature whose alg is not its root key's is not valid, so never counted.
    if (verifier.verify(key.publicKey, sig.alg, documentSigStructure(doc.bodyProtected, sig.protectedBytes, doc.payload), sig.signature)) {
      counted.push(sig.kidHex);
      if (counted.length >= root.threshold) break;
    }
  }
  return { authorised: counted.length >= root.threshold, counted, threshold: root.threshold };
}

/** One line saying why a document is or is not authorised by a root. */
export function describeAuthorisation(a: Authorisation, whose: string): string {
  const who = a.counted.length === 0 ? 'no key' : a.counted.join(', ');
  return `${a.counted.length} of the ${a.threshold} signatures ${whose} needs (${who})`;
}
