/**
 * Credential claims of docs/CREDENTIALS.md section 3, as plain Maps so a case can drop, retype or add any
 * key before encoding. Every type carries all of its `dat` fields; the values are fictitious.
 * @module
 */
import { randomBytes } from 'node:crypto';

export type Claims = Map<number | string, unknown>;
export type Dat = Map<string, unknown>;
export type CredentialType = 'DL' | 'VR' | 'VA' | 'VD' | 'TK';

/** CWT claim keys (RFC 8392) used by the spec. */
export const ISS = 1;
export const EXP = 4;
export const NBF = 5;
export const IAT = 6;
export const CTI = 7;
export const CNF = 8;

/** Seconds since the epoch of an ISO-8601 instant (give the offset, e.g. `+08:00`). */
export function at(iso: string): number {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) throw new Error(`bad instant ${iso}`);
  return ms / 1000;
}

/** A fresh random 16-byte credential id. */
export function newCti(): Uint8Array {
  return new Uint8Array(randomBytes(16));
}

/** `cnf` = `{1: COSE_Key}` with COSE_Key `{1: 1 (OKP), -1: 6 (Ed25519), -2: x}`. */
export function cnfOf(publicKey: Uint8Array): Map<number, unknown> {
  return new Map([
    [
      1,
      new Map<number, unknown>([
        [1, 1],
        [-1, 6],
        [-2, publicKey],
      ]),
    ],
  ]);
}

export function dlDat(over: Record<string, unknown> = {}): Dat {
  return datOf(
    {
      nam: '张*',
      idm: '110***********1234',
      lno: '110101199001011234',
      cls: ['C1', 'D'],
      fid: '2012-05-01',
      vfr: '2018-05-01',
      vto: '2030-05-01',
      off: '北京市公安局公安交通管理局',
    },
    over,
  );
}

const VR_FIELDS = {
  pl: '京A12345',
  pc: 'blue',
  vt: 'K33',
  own: '李*',
  ot: 'P',
  vin: '123456',
  reg: '2019-03-02',
  ivu: '2027-03-31',
};

export function vrDat(over: Record<string, unknown> = {}): Dat {
  return datOf(VR_FIELDS, over);
}

export function vaDat(ref: Uint8Array, over: Record<string, unknown> = {}): Dat {
  return datOf({ ref, pl: '京A12345', gnm: '赵*', gid: '110***********9999', pur: 'DRIVE' }, over);
}

export function vdDat(over: Record<string, unknown> = {}): Dat {
  return datOf({ ...VR_FIELDS, usr: '周*', pur: 'INSURANCE' }, over);
}

export function tkDat(frm: string, dep: number, over: Record<string, unknown> = {}): Dat {
  return datOf(
    {
      tid: 'T20261120000123',
      nam: '王*',
      idm: '110***********5678',
      frm,
      to: '天津',
      dep,
      bus: 'K1234',
      seat: '12',
    },
    over,
  );
}

/** The names of every `dat` field of a type, in the spec's order. */
export const DAT_FIELDS: Readonly<Record<CredentialType, readonly string[]>> = {
  DL: ['nam', 'idm', 'lno', 'cls', 'fid', 'vfr', 'vto', 'off'],
  VR: ['pl', 'pc', 'vt', 'own', 'ot', 'vin', 'reg', 'ivu'],
  VA: ['ref', 'pl', 'gnm', 'gid', 'pur'],
  VD: ['pl', 'pc', 'vt', 'own', 'ot', 'vin', 'reg', 'ivu', 'usr', 'pur'],
  TK: ['tid', 'nam', 'idm', 'frm', 'to', 'dep', 'bus', 'seat'],
};

/** `dat` fields holding `YYYY-MM-DD` dates. */
export const DATE_FIELDS: Readonly<Record<CredentialType, readonly string[]>> = {
  DL: ['fid', 'vfr', 'vto'],
  VR: ['reg', 'ivu'],
  VA: [],
  VD: ['reg', 'ivu'],
  TK: [],
};

/** Overrides whose value is `undefined` remove the field. */
function datOf(base: Record<string, unknown>, over: Record<string, unknown>): Dat {
  const dat: Dat = new Map(Object.entries(base));
  for (const [k, v] of Object.entries(over)) {
    if (v === undefined) dat.delete(k);
    else dat.set(k, v);
  }
  return dat;
}

/** What a credential is made of; `holder` gives it a `cnf`. */
export interface CredentialSpec {
  iss: string;
  typ: CredentialType | unknown;
  iat: number;
  nbf: number;
  exp: number;
  cti: Uint8Array;
  holder: Uint8Array | null;
  dat: Dat | unknown;
}

/** The claims map of section 3 (`v` = 1). */
export function claimsOf(spec: CredentialSpec): Claims {
  const claims: Claims = new Map<number | string, unknown>([
    [ISS, spec.iss],
    [EXP, spec.exp],
    [NBF, spec.nbf],
    [IAT, spec.iat],
    [CTI, spec.cti],
    ['v', 1],
    ['typ', spec.typ],
    ['dat', spec.dat],
  ]);
  if (spec.holder) claims.set(CNF, cnfOf(spec.holder));
  return claims;
}
