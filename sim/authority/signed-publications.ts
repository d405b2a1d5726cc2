/**
 * The signed documents a test authority publishes (docs/STATUS-LIST.md "Signed documents"):
 * trust lists and rules data signed by the threshold of its root in force, root rotations signed
 * by the old root and the new one, and every kind of document a scanner must refuse, each
 * aimed at one rule of authorise.ts.
 * @module
 */
import { generateKey, type SimKey } from './keys.js';
import type { RootKeySet } from './root-keys.js';
import { signDocument } from './sign-document.js';
import { DOCUMENT_FORGERIES, type DocumentForgery } from './document-forgeries.js';

export { DOCUMENT_FORGERIES, type DocumentForgery };

export interface SigningParties {
  /** The root in force. */
  root: RootKeySet;
  /** A trust list rotating the root: its new root, which must sign too. */
  newRoot?: RootKeySet;
  /** The root a rotation retired (for `retired-root`). */
  retired?: RootKeySet;
  /** The SL key (for `sl-signed`). */
  sl: SimKey;
}

function quorum(root: RootKeySet): SimKey[] {
  return root.keys.slice(0, root.threshold);
}

/** Signs a document's JSON text as the parties would, or as the forgery asks. */
export function signPublication(payload: string, p: SigningParties, forgery?: DocumentForgery): Uint8Array {
  const all = [...quorum(p.root), ...(p.newRoot ? quorum(p.newRoot) : [])];
  switch (forgery) {
    case undefined:
      return signDocument(payload, all);
    case 'under-signed': {
      const some = p.root.keys.slice(0, p.root.threshold - 1);
      return signDocument(payload, [...(some.length > 0 ? some : [generateKey(p.root.keys[0]!.alg)]), ...(p.newRoot ? quorum(p.newRoot) : [])]);
    }
    case 'non-root':
      return signDocument(
        payload,
        Array.from({ length: Math.max(p.root.threshold, 2) }, () => generateKey(p.root.keys[0]!.alg)),
      );
    case 'sl-signed':
      return signDocument(payload, [p.sl, ...p.root.keys.slice(0, p.root.threshold - 1)]);
    case 'double-counted': {
      const k = p.root.keys[0]!;
      return signDocument(payload, [...Array.from({ length: Math.max(p.root.threshold, 2) }, () => k), ...(p.newRoot ? quorum(p.newRoot) : [])]);
    }
    case 'damaged':
      return signDocument(payload, all, { damage: [p.root.threshold - 1] });
    case 'rotation-without-new-root':
      return signDocument(payload, quorum(p.root));
    case 'retired-root':
      if (!p.retired) throw new Error('retired-root needs a root that a rotation retired');
      return signDocument(payload, quorum(p.retired));
  }
}
