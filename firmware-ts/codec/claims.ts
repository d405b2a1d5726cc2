/**
 * Credential claims (docs/CREDENTIALS.md section 3): CWT integer claims plus our text keys, and the
 * `dat` schema of each type. Unknown keys are ignored; a missing or mistyped field is MALFORMED.
 * @module
 */
import { decodeCbor, isBytes, isMap, toUint } from './cbor.js';
import { fail } from './decode-error.js';
import { ALG_SM2, publicKeyOf, type PublicKey } from '../crypto/public-key.js';

export const CREDENTIAL_TYPES = ['DL', 'VR', 'VA', 'VD', 'TK'] as const;
export type CredentialType = (typeof CREDENTIAL_TYPES)[number];

type FieldKind = 'text' | 'date' | 'uint' | 'bytes16' | 'textArray' | 'ownerKind' | 'issuer';
type DatSchema = Readonly<Record<string, FieldKind>>;

const VR_FIELDS: DatSchema = {
  pl: 'text',
  pc: 'text',
  vt: 'text',
  own: 'text',
  ot: 'ownerKind',
  vin: 'text',
  reg: 'date',
  ivu: 'date',
};

/** `ref` / `ris`: the owner's `VR` a `VA` or `VD` refers to (section 3). */
const VR_LINK: DatSchema = { ref: 'bytes16', ris: 'issuer' };

export const DAT_SCHEMAS: Readonly<Record<CredentialType, DatSchema>> = {
  DL: { nam: 'text', idm: 'text', lno: 'text', cls: 'textArray', fid: 'date', vfr: 'date', vto: 'date', off: 'text' },
  VR: VR_FIELDS,
  VA: { ref: 'bytes16', pl: 'text', gnm: 'text', gid: 'text', pur: 'text' },
  VD: { ...VR_FIELDS, usr: 'text', pur: 'text' },
  TK: { tid: 'text', nam: 'text', idm: 'text', frm: 'text', to: 'text', dep: 'uint', bus: 'text', seat: 'text' },
};

/** Fields a type may carry; when present they are checked like the required ones. */
const OPTIONAL_DAT: Readonly<Record<CredentialType, DatSchema>> = {
  DL: {},
  VR: {},
  VA: { ris: VR_LINK.ris! },
  VD: VR_LINK,
  TK: {},
};

/** Types whose credential must carry a holder key (`cnf`). */
const NEEDS_CNF: ReadonlySet<CredentialType> = new Set(['DL', 'VR', 'VA']);

export type DatValue = string | number | Uint8Array | string[];

export interface Credential {
  iss: string;
  exp: number;
  nbf: number;
  iat: number;
  cti: Uint8Array;
  /** The holder's key (Ed25519, or an SM2 point checked on the curve), when the credential has `cnf`. */
  holderKey: PublicKey | null;
  typ: CredentialType;
  dat: Readonly<Record<string, DatValue>>;
}

const MAX_TEXT = 256;
const MAX_ARRAY = 32;
const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** True for a real calendar date written YYYY-MM-DD. */
export function isIsoDate(s: string): boolean {
  const m = DATE_RE.exec(s);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const t = new Date(Date.UTC(y, mo - 1, d));
  return t.getUTCFullYear() === y && t.getUTCMonth() === mo - 1 && t.getUTCDate() === d;
}

function field(kind: FieldKind, name: string, v: unknown): DatValue {
  switch (kind) {
    case 'text':
      if (typeof v !== 'string' || v.length > MAX_TEXT) fail(`dat.${name} is not a text`);
      return v;
    case 'issuer':
      if (!isIssuerCode(v)) fail(`dat.${name} is not an issuer code`);
      return v;
    case 'ownerKind':
      if (v !== 'P' && v !== 'O') fail(`dat.${name} is not P or O`);
      return v;
    case 'date':
      if (typeof v !== 'string' || !isIsoDate(v)) fail(`dat.${name} is not a YYYY-MM-DD date`);
      return v;
    case 'uint':
      // The only uint of `dat` is an instant (TK `dep`).
      return instantOf(v, `dat.${name}`);
    case 'bytes16':
      if (!isBytes(v) || v.length !== 16) fail(`dat.${name} is not a 16-byte bstr`);
      return v;
    case 'textArray':
      if (!Array.isArray(v) || v.length > MAX_ARRAY || !v.every((x) => typeof x === 'string' && x.length <= 16)) {
        fail(`dat.${name} is not an array of text`);
      }
      return v as string[];
  }
}

function holderKeyOf(cnf: unknown): PublicKey {
  if (!isMap(cnf)) fail('cnf is not a map');
  const key = cnf.get(1);
  if (!isMap(key)) fail('cnf has no COSE_Key');
  const x = key.get(-2);
  if (!isBytes(x) || x.length !== 32) fail('cnf key x is not 32 bytes');
  if (key.get(1) === 1 && key.get(-1) === 6) return { alg: 'EdDSA', raw: x };
  if (key.get(1) !== 2 || key.get(-1) !== ALG_SM2) fail('cnf key is neither OKP Ed25519 nor EC2 SM2');
  const y = key.get(-3);
  if (!isBytes(y) || y.length !== 32) fail('cnf key y is not 32 bytes');
  const point = new Uint8Array(65);
  point[0] = 0x04;
  point.set(x, 1);
  point.set(y, 33);
  // A holder key signs one code: no precomputed window for it.
  const sm2 = publicKeyOf('SM2', point, { keep: false });
  if (!sm2) fail('cnf key is not a point of the SM2 curve');
  return sm2;
}

function isIssuerCode(v: unknown): v is string {
  return typeof v === 'string' && v.length > 0 && v.length <= 64;
}

/** 9999-12-31T23:59:59Z: later instants are held as this one, so dates can always be printed. */
export const MAX_INSTANT = 253402300799;

/** An instant claim (uint seconds); beyond year 9999 it means "never" and is held as MAX_INSTANT. */
function instantOf(v: unknown, name: string): number {
  const n = toUint(v);
  if (n === null) fail(`${name} is missing or not a uint`);
  return Math.min(n, MAX_INSTANT);
}

function uintClaim(m: Map<unknown, unknown>, k: number, name: string): number {
  return instantOf(m.get(k), name);
}

/** A uint claim exactly, as a bigint (no rounding above 2^53); null when missing or mistyped. */
function exactUint(v: unknown): bigint | null {
  if (typeof v === 'number') return Number.isSafeInteger(v) && v >= 0 ? BigInt(v) : null;
  if (typeof v === 'bigint') return v >= 0n ? v : null;
  return null;
}

/**
 * Claims that can never be valid are not decodable (section 3, 1.1): `exp <= nbf` or `iat > exp`,
 * compared exactly, before instants past year 9999 are held as MAX_INSTANT.
 */
function neverValidFail(m: Map<unknown, unknown>): void {
  const exp = exactUint(m.get(4));
  const nbf = exactUint(m.get(5));
  const iat = exactUint(m.get(6));
  if (exp === null || nbf === null || iat === null) return; // reported by uintClaim below
  if (exp <= nbf) fail('exp is not after nbf');
  if (iat > exp) fail('iat is after exp');
}

/** Parses the payload of an issuer's COSE_Sign1; throws DecodeError. */
export function parseCredential(payload: Uint8Array): Credential {
  return credentialFromItem(decodeCbor(payload));
}

export function credentialFromItem(m: unknown): Credential {
  if (!isMap(m)) fail('claims are not a map');
  if (toUint(m.get('v')) !== 1) fail('v is not 1');
  const iss = m.get(1);
  if (!isIssuerCode(iss)) fail('iss is missing or not a text');
  const cti = m.get(7);
  if (!isBytes(cti) || cti.length !== 16) fail('cti is not a 16-byte bstr');
  const typ = m.get('typ');
  if (typeof typ !== 'string' || !(CREDENTIAL_TYPES as readonly string[]).includes(typ)) fail('typ is unknown');
  const credType = typ as CredentialType;
  const datIn = m.get('dat');
  if (!isMap(datIn)) fail('dat is not a map');
  const dat: Record<string, DatValue> = {};
  for (const [name, kind] of Object.entries(DAT_SCHEMAS[credType])) {
    if (!datIn.has(name)) fail(`dat.${name} is missing`);
    dat[name] = field(kind, name, datIn.get(name));
  }
  for (const [name, kind] of Object.entries(OPTIONAL_DAT[credType])) {
    if (datIn.has(name)) dat[name] = field(kind, name, datIn.get(name));
  }
  // `ris` names the issuer of the `VR` that `ref` points at: alone it links to nothing.
  if (dat.ris !== undefined && dat.ref === undefined) fail('dat.ris without dat.ref');
  neverValidFail(m);
  const hasCnf = m.has(8);
  if (NEEDS_CNF.has(credType) && !hasCnf) fail(`${credType} without cnf`);
  return {
    iss,
    exp: uintClaim(m, 4, 'exp'),
    nbf: uintClaim(m, 5, 'nbf'),
    iat: uintClaim(m, 6, 'iat'),
    cti,
    holderKey: hasCnf ? holderKeyOf(m.get(8)) : null,
    typ: credType,
    dat,
  };
}

export interface PresentationClaims {
  /** The inner credential's COSE_Sign1, as a decoded CBOR item. */
  vp: Uint8Array;
  gen: number;
}

/** A presentation payload has "vp"; anything else is taken as a bare credential. */
export function presentationFromItem(m: Map<unknown, unknown>): PresentationClaims {
  const vp = m.get('vp');
  if (!isBytes(vp)) fail('vp is not a bstr');
  const gen = instantOf(m.get(6), 'gen');
  if (m.has('n')) {
    const n = m.get('n');
    if (!isBytes(n) || n.length !== 8) fail('nonce is not an 8-byte bstr');
  }
  return { vp, gen };
}
