/**
 * The `root` of a trust list version 2 (docs/CREDENTIALS.md section 5): the offline keys that
 * alone may change the trust list and the rules data, and how many of them must agree. Kept in
 * its own small module so the authorisation rule (authorise.ts) depends on this and nothing
 * else of the trust list.
 * @module
 */
import { kidOf } from './kid.js';
import { KEY_BYTES, publicKeyOf, SIGNATURE_ALGS, type PublicKey, type SignatureAlg } from '../crypto/public-key.js';

/** More root keys than this is no offline ceremony anyone runs; refused as unusable. */
export const MAX_ROOT_KEYS = 32;

export interface RootKey {
  kid: Uint8Array;
  kidHex: string;
  key: Uint8Array;
  /** The key with its `alg` (`EdDSA` by default, or `SM2`), checked once here. */
  publicKey: PublicKey;
}

export interface Root {
  threshold: number;
  keys: readonly RootKey[];
  byKid(kidHex: string): RootKey | undefined;
}

export class RootError extends Error {
  override name = 'RootError';
}

const B64URL = /^[A-Za-z0-9_-]+$/;

function bytes(v: unknown, n: number, where: string): Buffer {
  if (typeof v !== 'string' || !B64URL.test(v) || v.length > 88) throw new RootError(`${where}: not base64url`);
  const b = Buffer.from(v, 'base64url');
  if (b.length !== n || b.toString('base64url') !== v) throw new RootError(`${where}: not ${n} bytes in base64url`);
  return b;
}

/** Parses `root`; throws RootError when it could never authorise anything or is malformed. */
export function parseRoot(json: unknown): Root {
  if (json === null || typeof json !== 'object' || Array.isArray(json)) throw new RootError('root: not an object');
  const { threshold, keys } = json as { threshold?: unknown; keys?: unknown };
  if (!Array.isArray(keys) || keys.length === 0) throw new RootError('root.keys: not a non-empty array');
  if (keys.length > MAX_ROOT_KEYS) throw new RootError(`root.keys: more than ${MAX_ROOT_KEYS} keys`);
  if (typeof threshold !== 'number' || !Number.isSafeInteger(threshold) || threshold < 1) {
    throw new RootError('root.threshold: not a positive integer');
  }
  if (threshold > keys.length) throw new RootError(`root.threshold ${threshold} is above its ${keys.length} keys: nothing could ever be signed`);
  const index = new Map<string, RootKey>();
  const parsed = keys.map((k: unknown, i): RootKey => {
    const where = `root.keys[${i}]`;
    if (k === null || typeof k !== 'object' || Array.isArray(k)) throw new RootError(`${where}: not an object`);
    const e = k as { kid?: unknown; key?: unknown; alg?: unknown };
    if (e.alg !== undefined && !(SIGNATURE_ALGS as readonly unknown[]).includes(e.alg)) throw new RootError(`${where}.alg: not ${SIGNATURE_ALGS.join(' or ')}`);
    const alg = (e.alg ?? 'EdDSA') as SignatureAlg;
    const kid = bytes(e.kid, 8, `${where}.kid`);
    const key = bytes(e.key, KEY_BYTES[alg], `${where}.key`);
    if (!kidOf(key).equals(kid)) throw new RootError(`${where}: kid ${String(e.kid)} does not match its key`);
    // Root keys sign a document now and then: no precomputed window is worth building for them.
    const publicKey = publicKeyOf(alg, key, { keep: false });
    if (!publicKey) throw new RootError(`${where}: its key is not a valid ${alg} key (a point off the curve or the identity)`);
    const entry = { kid, kidHex: kid.toString('hex'), key, publicKey };
    if (index.has(entry.kidHex)) throw new RootError(`${where}: kid ${String(e.kid)} listed twice`);
    index.set(entry.kidHex, entry);
    return entry;
  });
  return { threshold, keys: parsed, byKid: (kidHex) => index.get(kidHex) };
}

/** Whether two roots are the same: same threshold, same set of keys (order aside). */
export function sameRoot(a: Root, b: Root): boolean {
  if (a.threshold !== b.threshold || a.keys.length !== b.keys.length) return false;
  return a.keys.every((k) => {
    const other = b.byKid(k.kidHex);
    return other !== undefined && other.publicKey.alg === k.publicKey.alg && Buffer.from(other.key).equals(Buffer.from(k.key));
  });
}

/** The root as trust-list JSON, for logs and tests. */
export function rootJson(root: Root): { threshold: number; keys: { kid: string; key: string; alg?: 'SM2' }[] } {
  return {
    threshold: root.threshold,
    keys: root.keys.map((k) => ({
      kid: Buffer.from(k.kid).toString('base64url'),
      key: Buffer.from(k.key).toString('base64url'),
      ...(k.publicKey.alg === 'SM2' ? { alg: 'SM2' as const } : {}),
    })),
  };
}
