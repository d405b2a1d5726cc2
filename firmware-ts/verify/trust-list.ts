/**
 * The trust list (docs/CREDENTIALS.md section 5): which keys may sign which credential types,
 * and when, and from version 2 the offline `root` that alone may change it. Parsed once into a
 * kid index. A list that cannot serve is refused whole, with one clear line, whoever signed it:
 * no issuer of any credential type, no `SL` key, a kid listed twice or not matching its key, a
 * key window that ends before it starts, a date that is not an ISO-8601 instant, a version that
 * is not a positive integer (or a `root` that could never sign anything), a key that is not a
 * valid key of its `alg` (`EdDSA` by default, or `SM2`: the 65-byte point, checked on the curve
 * here, once, never at each scan).
 * @module
 */
import { CREDENTIAL_TYPES } from '../codec/claims.js';
import { arrayOf, at, InputCheckError, matching, object, positiveInteger, string } from '../core/input-check.js';
import { parseRoot, RootError, type Root } from './trust-root.js';
import { kidOf } from './kid.js';
import { KEY_BYTES, publicKeyOf, SIGNATURE_ALGS, type PublicKey, type SignatureAlg } from '../crypto/public-key.js';

export { kidOf };

const B64URL = /^[A-Za-z0-9_-]+$/;

/** `bytes` bytes in base64url, the text at most as long as that takes. */
function b64url(v: unknown, path: string, bytes: number): string {
  const s = matching(v, path, Math.ceil((bytes * 4) / 3), B64URL, 'base64url');
  if (Buffer.from(s, 'base64url').length !== bytes) throw new InputCheckError(path, `${bytes} bytes in base64url`);
  return s;
}

/** `YYYY-MM-DDTHH:MM:SSZ` or with an offset `±HH:MM`, as the spec writes an ISO-8601 instant. */
const INSTANT_RE = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(Z|[+-](\d{2}):(\d{2}))$/;

/** Seconds since the epoch of an ISO-8601 instant in the spec's form, or null. */
export function parseIsoInstant(s: string): number | null {
  const m = INSTANT_RE.exec(s);
  if (!m) return null;
  const [y, mo, d, h, mi, se] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  if (mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59 || se > 59) return null;
  const day = new Date(Date.UTC(y, mo - 1, d));
  if (day.getUTCFullYear() !== y || day.getUTCMonth() !== mo - 1 || day.getUTCDate() !== d) return null;
  let offsetMin = 0;
  if (m[7] !== 'Z') {
    const oh = Number(m[8]);
    const om = Number(m[9]);
    if (oh > 23 || om > 59) return null;
    offsetMin = (m[7]!.startsWith('-') ? -1 : 1) * (oh * 60 + om);
  }
  return Math.floor(Date.UTC(y, mo - 1, d, h, mi, se) / 1000) - offsetMin * 60;
}

function instant(v: unknown, path: string): string {
  return string(v, path, 40, { test: (s) => parseIsoInstant(s) !== null, problem: 'not an ISO-8601 instant (YYYY-MM-DDTHH:MM:SSZ or with an offset)' });
}

/** `alg` of a trust-list or root key: `EdDSA` when absent (docs/CREDENTIALS.md section 5). */
export function algOf(v: unknown, path: string): SignatureAlg {
  if (v === undefined) return 'EdDSA';
  if (typeof v !== 'string' || !(SIGNATURE_ALGS as readonly string[]).includes(v)) throw new InputCheckError(path, `${SIGNATURE_ALGS.join(' or ')}`);
  return v as SignatureAlg;
}

interface IssuerEntry {
  kid: string;
  iss: string;
  alg: SignatureAlg;
  key: string;
  types: string[];
  notBefore: string;
  notAfter: string;
}

/** The shape of a trust list (docs/CREDENTIALS.md section 5); other keys are ignored. */
function checkShape(json: unknown): { version: number; expires: string | undefined; root: unknown; issuers: IssuerEntry[] } {
  const o = object(json, '');
  const version = positiveInteger(o.version, 'version');
  const expires = o.expires === undefined ? undefined : instant(o.expires, 'expires');
  const issuers = arrayOf(o.issuers, 'issuers', 10_000, (v, path): IssuerEntry => {
    const e = object(v, path);
    const alg = algOf(e.alg, at(path, 'alg'));
    return {
      kid: b64url(e.kid, at(path, 'kid'), 8),
      iss: string(e.iss, at(path, 'iss'), 64, { min: 1 }),
      alg,
      key: b64url(e.key, at(path, 'key'), KEY_BYTES[alg]),
      types: arrayOf(e.types, at(path, 'types'), 16, (t, p) => string(t, p, 8, { min: 1 })),
      notBefore: instant(e.notBefore, at(path, 'notBefore')),
      notAfter: instant(e.notAfter, at(path, 'notAfter')),
    };
  });
  return { version, expires, root: o.root, issuers };
}

export interface TrustedKey {
  kid: Uint8Array;
  kidHex: string;
  iss: string;
  /** The raw key bytes as listed (32 for Ed25519, the 65-byte point for SM2). */
  key: Uint8Array;
  /** The key with its algorithm, checked: what every signature check uses. */
  publicKey: PublicKey;
  types: ReadonlySet<string>;
  /** Seconds since the epoch; `iat` must fall in [notBefore, notAfter). */
  notBefore: number;
  notAfter: number;
}

export interface TrustList {
  version: number;
  keys: readonly TrustedKey[];
  /** The offline root (version 2 lists); null for a version-1 list, replaceable only by configuration. */
  root: Root | null;
  /**
   * `expires` (spec 1.2) as written and in seconds; null when absent. Parsed, never judged here:
   * whether a list without it or past it may be taken or still serves is signed/expiry.ts's rule.
   */
  expires: { text: string; sec: number } | null;
  byKid(kid: Uint8Array): TrustedKey | undefined;
}

export class TrustListError extends Error {
  override name = 'TrustListError';
}

const CREDENTIAL_TYPE_SET: ReadonlySet<string> = new Set(CREDENTIAL_TYPES);

function refuse(what: string): never {
  throw new TrustListError(`trust list: ${what}`);
}

/** Parses a trust list; throws TrustListError (one line) for one that is malformed or cannot serve. */
export function parseTrustList(json: unknown): TrustList {
  let shape: ReturnType<typeof checkShape>;
  try {
    shape = checkShape(json);
  } catch (err) {
    if (err instanceof InputCheckError) refuse(err.message);
    throw err;
  }
  const index = new Map<string, TrustedKey>();
  const keys = shape.issuers.map((e) => {
    const kid = Buffer.from(e.kid, 'base64url');
    const key = Buffer.from(e.key, 'base64url');
    if (!kidOf(key).equals(kid)) refuse(`kid ${e.kid} does not match its key`);
    // Issuer keys sign every scan: they earn a precomputed window; an SL key signs one manifest a sync.
    const publicKey = publicKeyOf(e.alg, key, { keep: e.types.some((t) => CREDENTIAL_TYPE_SET.has(t)) });
    if (!publicKey) refuse(`kid ${e.kid}: its key is not a valid ${e.alg} key (a point off the curve or the identity): it cannot serve`);
    const entry: TrustedKey = {
      kid,
      kidHex: kid.toString('hex'),
      iss: e.iss,
      key,
      publicKey,
      types: new Set(e.types),
      notBefore: parseIsoInstant(e.notBefore)!,
      notAfter: parseIsoInstant(e.notAfter)!,
    };
    if (entry.notAfter < entry.notBefore) refuse(`kid ${e.kid}: its window ends (${e.notAfter}) before it starts (${e.notBefore})`);
    if (index.has(entry.kidHex)) refuse(`kid ${e.kid} listed twice`);
    index.set(entry.kidHex, entry);
    return entry;
  });
  if (!keys.some((k) => [...k.types].some((t) => CREDENTIAL_TYPE_SET.has(t)))) {
    refuse(`no issuer of any credential type (${CREDENTIAL_TYPES.join(', ')}): it cannot serve`);
  }
  if (!keys.some((k) => k.types.has('SL'))) refuse('no SL key: no status list could ever be verified, it cannot serve');
  let root: Root | null = null;
  if (shape.root !== undefined) {
    try {
      root = parseRoot(shape.root);
    } catch (err) {
      if (err instanceof RootError) refuse(err.message);
      throw err;
    }
  }
  return {
    version: shape.version,
    keys,
    root,
    expires: shape.expires === undefined ? null : { text: shape.expires, sec: parseIsoInstant(shape.expires)! },
    byKid: (kid) => index.get(Buffer.from(kid.buffer, kid.byteOffset, kid.byteLength).toString('hex')),
  };
}
