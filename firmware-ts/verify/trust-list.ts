/**
 * The trust list (CREDENTIALS.md section 5): which keys may sign which credential types, and
 * when. Parsed once into a kid index; a malformed list is refused whole with one clear line.
 * @module
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';

const b64url = (bytes: number) =>
  z
    .string()
    .regex(/^[A-Za-z0-9_-]+$/, 'base64url')
    .refine((s) => Buffer.from(s, 'base64url').length === bytes, `${bytes} bytes in base64url`);

const instant = z.string().refine((s) => !Number.isNaN(Date.parse(s)), 'an ISO-8601 instant');

const trustListSchema = z.object({
  version: z.number().int().nonnegative(),
  issuers: z
    .array(
      z.object({
        kid: b64url(8),
        iss: z.string().min(1).max(64),
        key: b64url(32),
        types: z.array(z.string().min(1).max(8)).max(16),
        notBefore: instant,
        notAfter: instant,
      }),
    )
    .max(10_000),
});

export interface TrustedKey {
  kid: Uint8Array;
  kidHex: string;
  iss: string;
  key: Uint8Array;
  types: ReadonlySet<string>;
  /** Seconds since the epoch; `iat` must fall in [notBefore, notAfter). */
  notBefore: number;
  notAfter: number;
}

export interface TrustList {
  version: number;
  keys: readonly TrustedKey[];
  byKid(kid: Uint8Array): TrustedKey | undefined;
}

export class TrustListError extends Error {
  override name = 'TrustListError';
}

/** The kid of a key: the first 8 bytes of SHA-256 of the raw 32-byte public key. */
export function kidOf(publicKey: Uint8Array): Buffer {
  return createHash('sha256').update(publicKey).digest().subarray(0, 8);
}

export function parseTrustList(json: unknown): TrustList {
  const parsed = trustListSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new TrustListError(`trust list: ${issue.path.join('.') || '(top level)'}: ${issue.message}`);
  }
  const index = new Map<string, TrustedKey>();
  const keys = parsed.data.issuers.map((e) => {
    const kid = Buffer.from(e.kid, 'base64url');
    const key = Buffer.from(e.key, 'base64url');
    if (!kidOf(key).equals(kid)) throw new TrustListError(`trust list: kid ${e.kid} does not match its key`);
    const entry: TrustedKey = {
      kid,
      kidHex: kid.toString('hex'),
      iss: e.iss,
      key,
      types: new Set(e.types),
      notBefore: Math.floor(Date.parse(e.notBefore) / 1000),
      notAfter: Math.floor(Date.parse(e.notAfter) / 1000),
    };
    if (index.has(entry.kidHex)) throw new TrustListError(`trust list: kid ${e.kid} listed twice`);
    index.set(entry.kidHex, entry);
    return entry;
  });
  return {
    version: parsed.data.version,
    keys,
    byKid: (kid) => index.get(Buffer.from(kid.buffer, kid.byteOffset, kid.byteLength).toString('hex')),
  };
}
