/**
 * Whether a signed trust list may replace the one held (docs/STATUS-LIST.md "Signed documents",
 * docs/CREDENTIALS.md section 5), in the order that spends the least on a forgery:
 *
 * 1. the held list must have a `root` (a version-1 list is replaced only by configuration);
 * 2. the root in force (the held list's) must authorise the document, threshold of distinct keys;
 * 3. the payload must be a trust list that can serve, with a `root` of its own;
 * 4. its version must not be below the held one (rollback); equal is "nothing new";
 * 5. a new root (a rotation) must authorise the same document with its own threshold too;
 * 6. a list that would be held must carry `expires` and not be past it at the check instant
 *    (signed/expiry.ts, spec 1.2). A link of the catch-up chain, replaced by a later version in
 *    the same sync, is checked without an instant: as in TUF, only the trust that will be held
 *    must be current, so a scanner that missed old versions can still walk past them.
 *
 * Every refusal is one line saying which rule failed; nothing here has side effects.
 * @module
 */
import { parseTrustList, TrustListError, type TrustList } from '../verify/trust-list.js';
import { authorise, describeAuthorisation } from './authorise.js';
import { sameRoot } from '../verify/trust-root.js';
import type { SignedDocument } from './signed-document.js';
import { refuseUnlessCurrent } from './expiry.js';
import { SignedUpdateError } from './signed-update-error.js';

export { SignedUpdateError };

export interface AcceptedTrustList {
  /** `current`: authorised, but of the version already held, so nothing changes. */
  status: 'accepted' | 'current';
  list: TrustList;
  /** The payload JSON text exactly as signed. */
  json: string;
  /** True when it rotates the root. */
  rotation: boolean;
  /** Hex kids that counted (old root, then new root on a rotation). */
  signers: string[];
}

/**
 * Checks a decoded signed trust list against the list held at check instant `nowSec` (null: a
 * chain link that will not be held, its expiry not judged); throws SignedUpdateError.
 */
export function acceptTrustUpdate(doc: SignedDocument, held: TrustList, nowSec: number | null): AcceptedTrustList {
  if (!held.root) {
    throw new SignedUpdateError(`the held trust list (version ${held.version}) has no root: only configuration can replace it`);
  }
  const byHeld = authorise(doc, held.root);
  if (!byHeld.authorised) {
    throw new SignedUpdateError(`not authorised by the root in force: ${describeAuthorisation(byHeld, 'the root in force')}`);
  }
  let list: TrustList;
  try {
    list = parseTrustList(doc.json);
  } catch (err) {
    if (err instanceof TrustListError) throw new SignedUpdateError(`refused, it cannot serve: ${err.message}`);
    throw err;
  }
  if (!list.root) throw new SignedUpdateError(`trust list version ${list.version} has no root: a synced list must carry one`);
  if (list.version < held.version) {
    throw new SignedUpdateError(`trust list version ${list.version} is below the held version ${held.version} (rollback refused)`);
  }
  const json = Buffer.from(doc.payload).toString('utf8');
  if (list.version === held.version) return { status: 'current', list, json, rotation: false, signers: byHeld.counted };
  const rotation = !sameRoot(held.root, list.root);
  const signers = [...byHeld.counted];
  if (rotation) {
    const byNew = authorise(doc, list.root);
    if (!byNew.authorised) {
      throw new SignedUpdateError(`root rotation in version ${list.version} lacks the new root's own signatures: ${describeAuthorisation(byNew, 'the new root')}`);
    }
    signers.push(...byNew.counted.filter((k) => !signers.includes(k)));
  }
  if (nowSec !== null) refuseUnlessCurrent(`trust list version ${list.version}`, list.expires, nowSec);
  return { status: 'accepted', list, json, rotation, signers };
}
