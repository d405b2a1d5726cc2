/**
 * The test authority: issuer keys (traffic police, transport ministry, status-list signer), a
 * holder's phone key, and one call to make any code a test or a demo needs, sound or broken.
 * An authority is Ed25519 or SM2 (docs/CREDENTIALS.md section 2) throughout; a code may still
 * be shown with a holder key of the other algorithm (`holder`), as a mixed fleet would.
 * @module
 */
import { randomBytes } from 'node:crypto';
import type { CredentialType } from '../../firmware-ts/codec/claims.js';
import { COSE_ALG, type SignatureAlg } from '../../firmware-ts/crypto/public-key.js';
import { entryKey } from '../../firmware-ts/status/list/index.js';
import { issueCredential, presentCredential, qrText, sampleDat } from './credentials.js';
import { generateKey, keyFromSeed, type SimKey } from './keys.js';
import { rootJsonOf, type RootKeySet } from './root-keys.js';
import { expiresAfter, trustEntry, type TrustEntryJson, type TrustListJson } from './trust-list-json.js';

export const ISSUERS = { mps: 'CN-MPS-110000', mot: 'CN-MOT-110000', sl: 'CN-MPS-SL' } as const;
export const TRUST_ISSUERS = ['mps', 'mot', 'sl'] as const;
export type TrustIssuer = (typeof TRUST_ISSUERS)[number];

/** Ways to break a code on purpose, each aimed at one reason code. */
export const FLAWS = [
  'issuer-signature', // BAD_SIGNATURE
  'holder-signature', // BAD_HOLDER_SIGNATURE
  'unknown-issuer', // UNKNOWN_ISSUER
  'wrong-issuer', // ISSUER_NOT_AUTHORIZED: the transport ministry signing a licence
  'alg-mismatch', // BAD_SIGNATURE: the issuer's header names the other algorithm than its listed key's
  'holder-alg-mismatch', // BAD_HOLDER_SIGNATURE: the live code's header names the other algorithm than the holder key's
] as const;
export type Flaw = (typeof FLAWS)[number];

export interface CodeSpec {
  type: CredentialType;
  /** The instant the code is made for, seconds. */
  now: number;
  /** Show as a live presentation (default: when the type has a holder key). */
  live?: boolean;
  /** Age of the live code at `now`, seconds (default 5; negative = generated in the future). */
  genAgeSec?: number;
  iat?: number;
  nbf?: number;
  exp?: number;
  cti?: Uint8Array;
  dat?: Record<string, unknown>;
  compress?: boolean;
  tagged?: boolean;
  kidUnprotected?: boolean;
  flaw?: Flaw;
  /** The holder's phone key (default: the authority's holder key). */
  holder?: SimKey;
}

export interface IssuedCode {
  text: string;
  iss: string;
  cti: Uint8Array;
  /** Hex status-list key of the credential. */
  statusKey: string;
}

const HOLDER_TYPES: ReadonlySet<CredentialType> = new Set(['DL', 'VR', 'VA']);
const DAY = 86400;

export interface AuthorityKeys {
  mps: SimKey;
  mot: SimKey;
  sl: SimKey;
  holder: SimKey;
}

export class TestAuthority {
  constructor(readonly keys: AuthorityKeys) {}

  /** The authority's algorithm: that of its issuer keys. */
  get alg(): SignatureAlg {
    return this.keys.mps.alg;
  }

  static create(alg: SignatureAlg = 'EdDSA'): TestAuthority {
    return new TestAuthority({ mps: generateKey(alg), mot: generateKey(alg), sl: generateKey(alg), holder: generateKey(alg) });
  }

  /** From `{mps, mot, sl, holder}` hex seeds (the vectors' `keys`, or a saved authority). */
  static fromSeeds(seeds: Record<keyof AuthorityKeys, string>, alg: SignatureAlg = 'EdDSA'): TestAuthority {
    const k = (hex: string) => keyFromSeed(Buffer.from(hex, 'hex'), alg);
    return new TestAuthority({ mps: k(seeds.mps), mot: k(seeds.mot), sl: k(seeds.sl), holder: k(seeds.holder) });
  }

  /** The holder key of this authority's seed under `alg` (a holder of the other algorithm, for mixed codes). */
  holderOf(alg: SignatureAlg): SimKey {
    return alg === this.keys.holder.alg ? this.keys.holder : keyFromSeed(this.keys.holder.seed, alg);
  }

  seeds(): Record<keyof AuthorityKeys, string> {
    const hex = (k: SimKey) => Buffer.from(k.seed).toString('hex');
    return { mps: hex(this.keys.mps), mot: hex(this.keys.mot), sl: hex(this.keys.sl), holder: hex(this.keys.holder) };
  }

  /**
   * The trust list of this authority's keys; with `root`, a version-2 list carrying it (the
   * offline root keys are never among the issuers) and `expires` (default: 90 days after now;
   * `null` leaves it out, as a list signed before spec 1.2). `issuers` picks which keys are listed.
   */
  trustList(version = 1, opts: { root?: RootKeySet; issuers?: readonly TrustIssuer[]; expires?: string | null } = {}): TrustListJson {
    const entries: Record<TrustIssuer, () => TrustEntryJson> = {
      mps: () => trustEntry(this.keys.mps, ISSUERS.mps, ['DL', 'VR', 'VA', 'VD']),
      mot: () => trustEntry(this.keys.mot, ISSUERS.mot, ['TK']),
      sl: () => trustEntry(this.keys.sl, ISSUERS.sl, ['SL']),
    };
    const issuers = (opts.issuers ?? TRUST_ISSUERS).map((k) => entries[k]());
    if (!opts.root) return { version, issuers };
    const expires = opts.expires === undefined ? expiresAfter(Date.now()) : opts.expires;
    return expires === null ? { version, root: rootJsonOf(opts.root), issuers } : { version, expires, root: rootJsonOf(opts.root), issuers };
  }

  code(spec: CodeSpec): IssuedCode {
    const ticket = spec.type === 'TK';
    let issuer = ticket ? this.keys.mot : this.keys.mps;
    let iss: string = ticket ? ISSUERS.mot : ISSUERS.mps;
    if (spec.flaw === 'unknown-issuer') issuer = generateKey(this.alg);
    if (spec.flaw === 'wrong-issuer') [issuer, iss] = ticket ? [this.keys.mps, ISSUERS.mps] : [this.keys.mot, ISSUERS.mot];
    const holder = HOLDER_TYPES.has(spec.type) ? (spec.holder ?? this.keys.holder) : null;
    const iat = spec.iat ?? spec.now - DAY;
    const shortLived = spec.type === 'VA' || spec.type === 'VD';
    const cti = spec.cti ?? randomBytes(16);
    let cose = issueCredential({
      type: spec.type,
      issuer,
      iss,
      iat,
      nbf: spec.nbf ?? iat,
      exp: spec.exp ?? iat + (shortLived ? 5 * DAY : 365 * DAY),
      cti,
      holder,
      dat: { ...sampleDat(spec.type, spec.now), ...spec.dat },
      tagged: spec.tagged ?? true,
      kidUnprotected: spec.kidUnprotected ?? false,
      ...(spec.flaw === 'alg-mismatch' ? { alg: otherAlg(issuer.alg) } : {}),
    });
    if (spec.flaw === 'issuer-signature') cose = flipLastBit(cose);
    if (spec.live ?? holder !== null) {
      const own = holder ?? this.keys.holder;
      const signer = spec.flaw === 'holder-signature' ? generateKey(own.alg) : own;
      const alg = spec.flaw === 'holder-alg-mismatch' ? { alg: otherAlg(own.alg) } : {};
      cose = presentCredential(cose, signer, spec.now - (spec.genAgeSec ?? 5), alg);
    }
    return { text: qrText(cose, { compress: spec.compress ?? true }), iss, cti, statusKey: entryKey(iss, cti).toString('hex') };
  }
}

/** The COSE alg of the algorithm that is not `alg`. */
function otherAlg(alg: SignatureAlg): number {
  return alg === 'SM2' ? COSE_ALG.EdDSA : COSE_ALG.SM2;
}

/** The signature is the last item of a COSE_Sign1, so its last byte is the array's last byte. */
function flipLastBit(cose: Uint8Array): Uint8Array {
  const out = Uint8Array.from(cose);
  out[out.length - 1]! ^= 1;
  return out;
}
