/**
 * Credential claims, live presentations and QR texts as an issuer and a holder's app make them
 * (docs/CREDENTIALS.md sections 1, 3 and 4).
 * @module
 */
import { randomBytes } from 'node:crypto';
import { deflateSync } from 'node:zlib';
import { base45Encode } from '../../firmware-ts/codec/base45.js';
import { encodeCbor } from '../../firmware-ts/codec/cbor.js';
import type { CredentialType } from '../../firmware-ts/codec/claims.js';
import { cstDate } from '../../firmware-ts/core/cst.js';
import { ALG_SM2 } from '../../firmware-ts/crypto/public-key.js';
import { signCoseSign1 } from './cose-sign.js';
import type { SimKey } from './keys.js';

export interface IssueOptions {
  type: CredentialType;
  issuer: SimKey;
  iss: string;
  iat: number;
  nbf: number;
  exp: number;
  cti?: Uint8Array;
  /** Holder key put in `cnf`; null for none. */
  holder: SimKey | null;
  /** Fields of `dat`, merged over the type's sample fields. */
  dat?: Record<string, unknown>;
  /** Extra top-level claims (e.g. unknown keys, or a wrong `v`). */
  extra?: Array<[number | string, unknown]>;
  tagged?: boolean;
  kidUnprotected?: boolean;
  /** The header's COSE alg in place of the issuer key's own (an alg/key mismatch, on purpose). */
  alg?: number;
}

/** Sample `dat` of each type, realistic enough for a demo and every rule. */
export function sampleDat(type: CredentialType, nowSec: number): Record<string, unknown> {
  const day = 86400;
  switch (type) {
    case 'DL':
      return {
        nam: '张三',
        idm: '110105********1234',
        lno: '110105********1234',
        cls: ['C1'],
        fid: '2015-03-02',
        vfr: '2021-03-02',
        vto: cstDate(nowSec + 3 * 365 * day),
        off: '北京市公安局公安交通管理局',
      };
    case 'VR':
    case 'VD': {
      const vr = {
        pl: '京A·12345',
        pc: 'blue',
        vt: 'K33',
        own: '李四',
        ot: 'P',
        vin: '123456',
        reg: '2019-05-20',
        ivu: cstDate(nowSec + 200 * day),
      };
      return type === 'VR' ? vr : { ...vr, usr: '李四', pur: '网上办理车辆业务' };
    }
    case 'VA':
      return { ref: new Uint8Array(16).fill(7), pl: '京A·12345', gnm: '王五', gid: '110105********5678', pur: 'drive' };
    case 'TK':
      return {
        tid: 'T20261120000123',
        nam: '赵*',
        idm: '110105********9012',
        frm: 'S110105001',
        to: 'S120101002',
        dep: nowSec + 1800,
        bus: 'K1234',
        seat: '12',
      };
  }
}

/**
 * An instant as CBOR writes a uint: cbor-x writes a JS number above 2^32 as a float64, which the
 * scanner rightly refuses, so such an instant goes out as a bigint (a uint of 8 bytes).
 */
export function uintInstant(sec: number | bigint): number | bigint {
  return typeof sec === 'number' && Number.isSafeInteger(sec) && sec > 0xffffffff ? BigInt(sec) : sec;
}

/** The holder key in `cnf` (section 3): OKP Ed25519, or EC2 on the SM2 curve (x and y, 32 bytes each). */
export function coseKeyOf(holder: SimKey): Map<number, unknown> {
  if (holder.alg === 'EdDSA') {
    return new Map<number, unknown>([
      [1, 1],
      [-1, 6],
      [-2, holder.publicKey],
    ]);
  }
  return new Map<number, unknown>([
    [1, 2],
    [-1, ALG_SM2],
    [-2, holder.publicKey.subarray(1, 33)],
    [-3, holder.publicKey.subarray(33, 65)],
  ]);
}

export function credentialClaims(opts: IssueOptions): Map<number | string, unknown> {
  const claims = new Map<number | string, unknown>([
    [1, opts.iss],
    [4, uintInstant(opts.exp)],
    [5, uintInstant(opts.nbf)],
    [6, uintInstant(opts.iat)],
    [7, opts.cti ?? randomBytes(16)],
  ]);
  if (opts.holder) claims.set(8, new Map([[1, coseKeyOf(opts.holder)]]));
  claims.set('v', 1);
  claims.set('typ', opts.type);
  claims.set('dat', new Map(Object.entries({ ...sampleDat(opts.type, opts.iat), ...opts.dat })));
  for (const [k, v] of opts.extra ?? []) claims.set(k, v);
  return claims;
}

/** The issuer's COSE_Sign1 over the claims. */
export function issueCredential(opts: IssueOptions): Uint8Array {
  return signCoseSign1({
    payload: encodeCbor(credentialClaims(opts)),
    key: opts.issuer,
    tagged: opts.tagged ?? true,
    kidUnprotected: opts.kidUnprotected ?? false,
    ...(opts.alg !== undefined ? { alg: opts.alg } : {}),
  });
}

/** The holder's live code wrapping a credential, generated at `gen` (seconds). */
export function presentCredential(credentialCose: Uint8Array, holder: SimKey, gen: number, opts: { nonce?: boolean; alg?: number } = {}): Uint8Array {
  const payload = new Map<number | string, unknown>([
    ['vp', credentialCose],
    [6, uintInstant(gen)],
  ]);
  if (opts.nonce) payload.set('n', randomBytes(8));
  return signCoseSign1({ payload: encodeCbor(payload), key: holder, withKid: false, ...(opts.alg !== undefined ? { alg: opts.alg } : {}) });
}

/** `RS1:` + Base45 of the (by default zlib-compressed) COSE bytes. */
export function qrText(cose: Uint8Array, opts: { compress?: boolean } = {}): string {
  const body = (opts.compress ?? true) ? deflateSync(cose, { level: 9 }) : cose;
  return `RS1:${base45Encode(body)}`;
}
