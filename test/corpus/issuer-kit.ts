/**
 * Everything a corpus case needs to mint lines: the trusted authorities (fresh keys each run), an
 * untrusted one, holder keys, default claims per type relative to an instant, and the two ways a
 * credential reaches a scanner (bare, or wrapped in the holder's live presentation).
 * @module
 */
import { Authority, presentParts, presentationPayload, trustListOf, type SignOptions } from './authority.js';
import { CNF, claimsOf, dlDat, newCti, tkDat, vaDat, vdDat, vrDat, type Claims, type CredentialType } from './claims.js';
import { cbor, encodeSign1, qrText, type Sign1Parts } from './cose-writer.js';
import { Ed25519Key } from './ed25519-key.js';

const DAY = 86_400;

/** How a bare credential is put on the wire. */
export interface BareOptions {
  by?: Authority;
  sign?: SignOptions;
  compress?: boolean;
  /** Alters the signed parts before encoding (a forged signature, a swapped payload...). */
  tamper?: (parts: Sign1Parts) => Sign1Parts;
}

/** How a live presentation is made: generation instant, holder key, nonce, tampering. */
export interface LiveOptions extends BareOptions {
  gen: unknown;
  holder?: Ed25519Key;
  nonce?: Uint8Array;
  innerTagged?: boolean;
  outerTagged?: boolean;
  outerHeader?: Map<number, unknown>;
  /** Replaces the presentation payload map before it is signed. */
  editPayload?: (payload: Map<number | string, unknown>) => void;
  tamperOuter?: (parts: Sign1Parts) => Sign1Parts;
}

export class IssuerKit {
  readonly mps = new Authority('CN-MPS-110000', ['DL', 'VR', 'VA', 'VD']);
  readonly mot = new Authority('CN-MOT-110000', ['TK']);
  /** A second ticket issuer (another province's platform). */
  readonly mot2 = new Authority('CN-MOT-120000', ['TK']);
  readonly statusSigner = new Authority('CN-MPS-SL', ['SL']);
  /** Trusted for DL..VD, but only for credentials issued in [2021-01-01, 2025-01-01). */
  readonly mpsRetired = new Authority('CN-MPS-110000', ['DL', 'VR', 'VA', 'VD'], '2021-01-01T00:00:00Z', '2025-01-01T00:00:00Z');
  /** Not in the trust list. */
  readonly rogue = new Authority('CN-MPS-110000', ['DL', 'VR', 'VA', 'VD', 'TK']);
  readonly holder = Ed25519Key.generate();
  readonly otherHolder = Ed25519Key.generate();

  trustList(): unknown {
    return trustListOf(7, [this.mps, this.mot, this.mot2, this.statusSigner, this.mpsRetired]);
  }

  /** The authority that normally issues a type. */
  issuerOf(typ: CredentialType): Authority {
    return typ === 'TK' ? this.mot : this.mps;
  }

  /**
   * Valid claims of a type at `now` (seconds): issued 300 days ago and good for years, except VA/VD
   * (yesterday to the day after tomorrow) and TK (departs from `station` in 30 minutes).
   */
  claims(typ: CredentialType, now: number, station = 'S110105001'): Claims {
    const base = { iss: this.issuerOf(typ).iss, typ, cti: newCti(), iat: now - 300 * DAY, nbf: now - 300 * DAY, exp: now + 5 * 365 * DAY };
    switch (typ) {
      case 'DL':
        return claimsOf({ ...base, holder: this.holder.publicKey, dat: dlDat() });
      case 'VR':
        return claimsOf({ ...base, holder: this.holder.publicKey, dat: vrDat() });
      case 'VA':
        return claimsOf({ ...base, iat: now - DAY, nbf: now - DAY, exp: now + 2 * DAY, holder: this.holder.publicKey, dat: vaDat(newCti()) });
      case 'VD':
        return claimsOf({ ...base, iat: now - DAY, nbf: now - DAY, exp: now + 2 * DAY, holder: null, dat: vdDat() });
      case 'TK':
        return claimsOf({ ...base, iat: now - 3 * DAY, nbf: now - 3 * DAY, exp: now + 2 * DAY, holder: null, dat: tkDat(station, now + 1800) });
    }
  }

  /** The issuer's COSE_Sign1 of some claims (or ready payload bytes). */
  credential(claims: unknown, options: BareOptions = {}, typ?: CredentialType): Uint8Array {
    const by = options.by ?? this.issuerOf(typ ?? typOf(claims));
    let parts = by.signParts(claims, options.sign);
    if (options.tamper) parts = options.tamper(parts);
    return encodeSign1(parts, options.sign?.tagged ?? true);
  }

  /** A credential shown bare (a copied code, a printed VD, a ticket). */
  bare(claims: unknown, options: BareOptions = {}): string {
    return qrText(this.credential(claims, options), options.compress ?? true);
  }

  /** The holder's live code (outer COSE_Sign1 bytes) around a credential, generated at `gen`. */
  liveCose(claims: unknown, options: LiveOptions): Uint8Array {
    const inner = this.credential(claims, { ...options, sign: { ...options.sign, tagged: options.innerTagged ?? true } });
    const payload = presentationPayload(inner, options.gen, options.nonce);
    options.editPayload?.(payload);
    let parts = presentParts(options.holder ?? this.holder, cbor(payload), options.outerHeader);
    if (options.tamperOuter) parts = options.tamperOuter(parts);
    return encodeSign1(parts, options.outerTagged ?? true);
  }

  /** A credential shown as the holder's live code generated at `gen`. */
  live(claims: unknown, options: LiveOptions): string {
    return qrText(this.liveCose(claims, options), options.compress ?? true);
  }

  /** Live if the claims carry a holder key, bare otherwise: how an honest holder shows it. */
  shown(claims: Claims, now: number, options: BareOptions = {}): string {
    return claims.has(CNF) ? this.live(claims, { ...options, gen: now }) : this.bare(claims, options);
  }
}

function typOf(claims: unknown): CredentialType {
  if (claims instanceof Map) {
    const typ = claims.get('typ');
    if (typeof typ === 'string' && ['DL', 'VR', 'VA', 'VD', 'TK'].includes(typ)) return typ as CredentialType;
  }
  return 'DL';
}
