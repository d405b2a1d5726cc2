/**
 * The kinds of signed document a scanner must refuse (signed-publications.ts makes them), in a
 * module of their own so the command line can list them without loading any crypto.
 * @module
 */
export const DOCUMENT_FORGERIES = [
  'under-signed', // one signature short of the threshold
  'non-root', // the threshold, by keys outside the root
  'sl-signed', // the SL key plus one root key short of the threshold
  'double-counted', // one root key's signature repeated up to the threshold
  'damaged', // the threshold of root keys, one signature damaged
  'rotation-without-new-root', // a new root, signed by the old one only
  'retired-root', // signed by the threshold of the root a rotation retired
] as const;
export type DocumentForgery = (typeof DOCUMENT_FORGERIES)[number];

/**
 * Trust-list forgeries: the signature ones, plus well-signed lists that cannot serve (no SL key;
 * an SM2 issuer key that is not a point of the curve, its kid recomputed so only the point is wrong).
 */
export const TRUST_FORGERIES = [...DOCUMENT_FORGERIES, 'unusable', 'off-curve-key'] as const;
export type TrustForgery = (typeof TRUST_FORGERIES)[number];
