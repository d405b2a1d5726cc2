/**
 * The forged manifests the test authority can produce, each refused by a scanner for its own
 * reason: a damaged signature, a signer the trust list does not hold, a signer that holds no SL.
 * @module
 */
export const FORGERIES = ['bad-signature', 'unknown-key', 'not-sl-key'] as const;
export type Forgery = (typeof FORGERIES)[number];
