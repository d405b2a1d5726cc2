/**
 * A test issuer (signing key + trust-list entry) and the holder's live presentation, written from
 * docs/CREDENTIALS.md sections 2, 4 and 5 with node:crypto and cborg only.
 * @module
 */
import { ALG, EDDSA, KID, cbor, encodeSign1, signSign1, type Sign1Parts } from './cose-writer.js';
import { Ed25519Key } from './ed25519-key.js';
import { IAT } from './claims.js';

/** One issuer entry of the trust list JSON (section 5). */
export interface TrustEntry {
  kid: string;
  iss: string;
  key: string;
  types: string[];
  notBefore: string;
  notAfter: string;
}

/** Where an issuer puts its kid. */
export type KidPlace = 'protected' | 'unprotected' | 'both' | 'none';

/** How to sign: header layout and tag; the defaults are what issuers emit. */
export interface SignOptions {
  kidPlace?: KidPlace;
  /** A kid other than the key's own, e.g. a wrong one in the unprotected header. */
  unprotectedKid?: Uint8Array;
  /** Replaces the protected header map entirely. */
  protectedHeader?: Map<number, unknown>;
  tagged?: boolean;
}

export function b64url(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('base64url');
}

/** An issuing authority: a fresh key, the `iss` it signs as and its trust-list window. */
export class Authority {
  constructor(
    readonly iss: string,
    readonly types: string[],
    readonly notBefore: string = '2020-01-01T00:00:00Z',
    readonly notAfter: string = '2040-01-01T00:00:00Z',
    readonly key: Ed25519Key = Ed25519Key.generate(),
  ) {}

  trustEntry(): TrustEntry {
    return {
      kid: b64url(this.key.kid),
      iss: this.iss,
      key: b64url(this.key.publicKey),
      types: this.types,
      notBefore: this.notBefore,
      notAfter: this.notAfter,
    };
  }

  /** Signs a payload (a claims map or ready bytes) and returns the parts, unencoded. */
  signParts(payload: unknown, options: SignOptions = {}): Sign1Parts {
    const place = options.kidPlace ?? 'protected';
    const header = options.protectedHeader ?? new Map<number, unknown>([[ALG, EDDSA]]);
    if (!options.protectedHeader && (place === 'protected' || place === 'both')) header.set(KID, this.key.kid);
    const unprotected = new Map<number, unknown>();
    if (place === 'unprotected' || place === 'both' || options.unprotectedKid) {
      unprotected.set(KID, options.unprotectedKid ?? this.key.kid);
    }
    const bytes = payload instanceof Uint8Array ? payload : cbor(payload);
    return signSign1(this.key, cbor(header), bytes, unprotected);
  }

  /** Signs and encodes a COSE_Sign1 (tagged unless told otherwise). */
  sign(payload: unknown, options: SignOptions = {}): Uint8Array {
    return encodeSign1(this.signParts(payload, options), options.tagged ?? true);
  }
}

/** The payload of a presentation: `{"vp": inner COSE, 6: gen}` plus an optional nonce `"n"`. */
export function presentationPayload(inner: Uint8Array, gen: unknown, nonce?: Uint8Array): Map<number | string, unknown> {
  const payload = new Map<number | string, unknown>([
    ['vp', inner],
    [IAT, gen],
  ]);
  if (nonce) payload.set('n', nonce);
  return payload;
}

/** The holder's live code: protected `{1: -8}`, no kid, signed with the holder key. */
export function presentParts(holder: Ed25519Key, payload: unknown, protectedHeader?: Map<number, unknown>): Sign1Parts {
  const header = protectedHeader ?? new Map<number, unknown>([[ALG, EDDSA]]);
  const bytes = payload instanceof Uint8Array ? payload : cbor(payload);
  return signSign1(holder, cbor(header), bytes);
}

/** Builds a trust list JSON document. */
export function trustListOf(version: number, authorities: readonly Authority[]): { version: number; issuers: TrustEntry[] } {
  return { version, issuers: authorities.map((a) => a.trustEntry()) };
}
