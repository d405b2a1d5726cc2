/**
 * Decodable hostile codes (issue 16): the codes an attacker can make that get past decoding and
 * so reach every rule, built to make a check as costly as it can be. Every type; trusted,
 * unknown and forged issuers; extreme instants (0, 2^32, 2^40, 253402300800, 2^64-1) and the
 * longest spans that are still counted; every field and array at its cap. Shared by the
 * bounded-cost benchmark (scripts/bench/bench-hostile.ts), the fuzzer and the property tests.
 * @module
 */
import { randomBytes } from 'node:crypto';
import { CREDENTIAL_TYPES, DAT_SCHEMAS, type CredentialType } from '../../firmware-ts/codec/claims.js';
import { issueCredential, presentCredential, qrText, sampleDat, uintInstant } from './credentials.js';
import { generateKey, type SimKey } from './keys.js';
import { ISSUERS, type TestAuthority } from './test-authority.js';

export type HostileIssuer = 'trusted' | 'unknown' | 'forged';

export interface HostileCode {
  label: string;
  type: CredentialType;
  issuer: HostileIssuer;
  text: string;
}

const DAY = 86400;
/** The extreme instants of the issue, as CBOR uints. */
export const EXTREME_INSTANTS: readonly (number | bigint)[] = [0, 2 ** 32, 2 ** 40, 253402300800, 2n ** 64n - 1n];
const HOLDER_TYPES: ReadonlySet<CredentialType> = new Set(['DL', 'VR', 'VA']);
const TEXT_CAP = 256;
const ARRAY_CAP = 32;
const ARRAY_ITEM_CAP = 16;

/** `dat` with every text at its cap (bidi and control characters mixed in) and every array full. */
export function datAtCaps(type: CredentialType, nowSec: number, flavour: 'ascii' | 'mixed'): Record<string, unknown> {
  const dat: Record<string, unknown> = { ...sampleDat(type, nowSec) };
  const unit = flavour === 'ascii' ? 'A' : '\u202e张\u0007';
  const text = unit.repeat(Math.ceil(TEXT_CAP / unit.length)).slice(0, TEXT_CAP);
  for (const [name, kind] of Object.entries(DAT_SCHEMAS[type])) {
    if (kind === 'text') dat[name] = text;
    if (kind === 'textArray') dat[name] = Array.from({ length: ARRAY_CAP }, (_, i) => `${i}`.padEnd(ARRAY_ITEM_CAP, flavour === 'ascii' ? 'C' : '\u200b'));
  }
  if (type === 'VA' || type === 'VD') dat.ris = 'CN-MPS-'.padEnd(64, '9');
  if (type === 'VD') dat.ref = new Uint8Array(16).fill(9);
  return dat;
}

/** [nbf, exp] pairs that decode (exp > nbf): the extremes, and the longest spans still counted. */
export function hostileSpans(nowSec: number): [nbf: number | bigint, exp: number | bigint, label: string][] {
  const pairs: [number | bigint, number | bigint, string][] = [];
  const points: [number | bigint, string][] = [[nowSec - DAY, 'now-1d'], ...EXTREME_INSTANTS.map((v): [number | bigint, string] => [v, String(v)])];
  for (const [nbf, a] of points) for (const [exp, b] of points) if (BigInt(exp) > BigInt(nbf)) pairs.push([nbf, exp, `${a}..${b}`]);
  const lastCounted = (from: number) => from + 31 * DAY - 8 * 3600 - (from % DAY);
  pairs.push([nowSec - DAY, lastCounted(nowSec - DAY), '31 dates from now-1d']);
  const y9999 = Date.UTC(9999, 11, 1) / 1000;
  pairs.push([y9999, 253402271999, '9999-12-01..9999-12-31 CST, an unscheduled year']);
  pairs.push([Date.UTC(2026, 11, 20) / 1000, Date.UTC(2027, 0, 19) / 1000, 'across into unscheduled 2027']);
  return pairs;
}

function signerOf(authority: TestAuthority, type: CredentialType, issuer: HostileIssuer): { key: SimKey; iss: string } {
  const ticket = type === 'TK';
  if (issuer === 'unknown') return { key: generateKey(authority.alg), iss: ticket ? ISSUERS.mot : ISSUERS.mps };
  return { key: ticket ? authority.keys.mot : authority.keys.mps, iss: ticket ? ISSUERS.mot : ISSUERS.mps };
}

/** One hostile code; `iat` inside the trusted key's window where the span allows it. */
export function hostileCode(
  authority: TestAuthority,
  nowSec: number,
  spec: { type: CredentialType; issuer: HostileIssuer; nbf: number | bigint; exp: number | bigint; dat: Record<string, unknown>; label: string },
): HostileCode {
  const { key, iss } = signerOf(authority, spec.type, spec.issuer);
  const iat = nowSec - DAY >= 0 && BigInt(nowSec - DAY) <= BigInt(spec.exp) ? nowSec - DAY : spec.nbf;
  const holder = HOLDER_TYPES.has(spec.type) ? authority.keys.holder : null;
  let cose = issueCredential({
    type: spec.type,
    issuer: key,
    iss,
    iat: 0,
    nbf: 0,
    exp: 0,
    cti: randomBytes(16),
    holder,
    dat: spec.dat,
    extra: [
      [4, uintInstant(spec.exp)],
      [5, uintInstant(spec.nbf)],
      [6, uintInstant(iat)],
    ],
  });
  if (spec.issuer === 'forged') {
    cose = Uint8Array.from(cose);
    cose[cose.length - 1]! ^= 1;
  }
  if (holder) cose = presentCredential(cose, holder, Math.max(0, nowSec - 5));
  return { label: `${spec.type} ${spec.issuer} ${spec.label}`, type: spec.type, issuer: spec.issuer, text: qrText(cose) };
}

/** Every combination: types x issuers x spans x field caps (about 1,500 codes). */
export function hostileCodes(authority: TestAuthority, nowSec: number): HostileCode[] {
  const out: HostileCode[] = [];
  for (const type of CREDENTIAL_TYPES) {
    const dats: [Record<string, unknown>, string][] = [
      [sampleDat(type, nowSec), 'sample fields'],
      [datAtCaps(type, nowSec, 'ascii'), 'fields at caps'],
      [datAtCaps(type, nowSec, 'mixed'), 'fields at caps, bidi and controls'],
    ];
    for (const issuer of ['trusted', 'unknown', 'forged'] as const) {
      for (const [nbf, exp, span] of hostileSpans(nowSec)) {
        for (const [dat, fields] of dats) out.push(hostileCode(authority, nowSec, { type, issuer, nbf, exp, dat, label: `${span}, ${fields}` }));
      }
    }
  }
  return out;
}
