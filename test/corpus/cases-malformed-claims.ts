/**
 * MALFORMED at the claims level, systematically: every `dat` field of every type missing and
 * mistyped, every date field an impossible date, every required claim missing or mistyped, and
 * the cnf shapes. Lines are shown the way an honest holder would (live when there is a cnf), so
 * only the one defect differs from a good credential.
 * @module
 */
import { randomBytes } from 'node:crypto';
import { CNF, CTI, DATE_FIELDS, DAT_FIELDS, EXP, IAT, ISS, NBF, cnfOf, type Claims, type CredentialType, type Dat } from './claims.js';
import { cbor, concatBytes } from './cose-writer.js';
import { Setting } from './corpus-setting.js';
import type { IssuerKit } from './issuer-kit.js';

const TYPES: CredentialType[] = ['DL', 'VR', 'VA', 'VD', 'TK'];
const dat = (claims: Claims): Dat => claims.get('dat') as Dat;

/** A value of the wrong CBOR type for a field. */
function mistyped(field: string, value: unknown): unknown {
  if (field === 'cls') return 'C1';
  if (typeof value === 'number') return String(value);
  if (value instanceof Uint8Array) return Buffer.from(value).toString('hex');
  return 42;
}

export function addMalformedClaims(s: Setting, kit: IssuerKit): void {
  const now = s.nowSec;
  const fresh = (typ: CredentialType): Claims => kit.claims(typ, now);
  const show = (c: Claims): string => kit.shown(c, now);

  for (const typ of TYPES) {
    for (const field of DAT_FIELDS[typ]) {
      const missing = fresh(typ);
      dat(missing).delete(field);
      s.malformed(`${typ} without dat.${field}`, show(missing));
      const wrong = fresh(typ);
      dat(wrong).set(field, mistyped(field, dat(wrong).get(field)));
      s.malformed(`${typ} dat.${field} of the wrong type`, show(wrong));
    }
    const [first, second] = DAT_FIELDS[typ].filter((f) => !['cls', 'dep', 'ref'].includes(f));
    const asBytes = fresh(typ);
    dat(asBytes).set(first!, new TextEncoder().encode(String(dat(asBytes).get(first!))));
    s.malformed(`${typ} dat.${first} as a bstr`, show(asBytes));
    const asNull = fresh(typ);
    dat(asNull).set(second!, null);
    s.malformed(`${typ} dat.${second} null`, show(asNull));
    for (const field of DATE_FIELDS[typ]) {
      const c = fresh(typ);
      dat(c).set(field, '2026-02-30');
      s.malformed(`${typ} dat.${field} = 2026-02-30`, show(c));
    }
    for (const key of [ISS, EXP, NBF, IAT, CTI, 'v', 'typ', 'dat'] as const) {
      const c = fresh(typ);
      c.delete(key);
      s.malformed(`${typ} without claim ${String(key)}`, show(c));
    }
    const notMap = fresh(typ);
    notMap.set('dat', [...dat(notMap).values()]);
    s.malformed(`${typ} dat as an array`, show(notMap));
  }

  for (const bad of [
    '2026-13-01',
    '2026-00-10',
    '2026-01-00',
    '2026-04-31',
    '2026-02-29',
    '2026-2-03',
    '2026/02/03',
    '20260203',
    '2026-02-03T00:00:00',
    '',
    ' 2026-02-03',
    '２０２６-02-03',
    '0000-00-00',
    '2026-02-3x',
  ]) {
    const c = fresh('DL');
    dat(c).set('vto', bad);
    s.malformed(`DL vto = ${JSON.stringify(bad)}`, show(c));
  }
  const leap = fresh('DL');
  dat(leap).set('vto', '2028-02-29');
  s.expect('DL vto = 2028-02-29 (a real leap day)', show(leap), [], 'DL');

  for (const typ of ['DL', 'VR', 'VA'] as const) {
    const c = fresh(typ);
    c.delete(CNF);
    s.malformed(`${typ} without cnf`, kit.bare(c));
  }

  const claimCases: [string, (c: Claims) => void][] = [
    ['iss an int', (c) => c.set(ISS, 110000)],
    ['exp a text', (c) => c.set(EXP, String(c.get(EXP)))],
    ['exp negative', (c) => c.set(EXP, -1)],
    ['exp a float', (c) => c.set(EXP, (c.get(EXP) as number) + 0.5)],
    ['nbf a text', (c) => c.set(NBF, '2026-01-01')],
    ['iat a float', (c) => c.set(IAT, (c.get(IAT) as number) + 0.25)],
    ['cti a text', (c) => c.set(CTI, 'ABCDEFGHIJKLMNOP')],
    ['cti of 15 bytes', (c) => c.set(CTI, new Uint8Array(randomBytes(15)))],
    ['cti of 17 bytes', (c) => c.set(CTI, new Uint8Array(randomBytes(17)))],
    ['v = 2', (c) => c.set('v', 2)],
    ['v = 0', (c) => c.set('v', 0)],
    ['v = "1"', (c) => c.set('v', '1')],
    ['typ an int', (c) => c.set('typ', 1)],
    ['dat a text', (c) => c.set('dat', 'dat')],
    ['cnf a bstr', (c) => c.set(CNF, kit.holder.publicKey)],
    ['cnf an empty map', (c) => c.set(CNF, new Map())],
    ['cnf key x of 31 bytes', (c) => c.set(CNF, cnfOf(kit.holder.publicKey.subarray(0, 31)))],
    ['cnf key x of 33 bytes', (c) => c.set(CNF, cnfOf(new Uint8Array([...kit.holder.publicKey, 0])))],
    [
      'cnf key without x',
      (c) =>
        c.set(
          CNF,
          new Map([
            [
              1,
              new Map<number, unknown>([
                [1, 1],
                [-1, 6],
              ]),
            ],
          ]),
        ),
    ],
  ];
  for (const [label, edit] of claimCases) {
    const c = fresh('DL');
    edit(c);
    s.malformed(`DL ${label}`, show(c));
  }
  // 1.1: claims that can never be valid are not decodable, whatever the clock says.
  for (const typ of TYPES) {
    const equal = fresh(typ);
    equal.set(EXP, equal.get(NBF));
    s.malformed(`${typ} exp = nbf`, show(equal));
    const before = fresh(typ);
    before.set(EXP, (before.get(NBF) as number) - 1);
    s.malformed(`${typ} exp before nbf`, show(before));
    const late = fresh(typ);
    late.set(IAT, (late.get(EXP) as number) + 1);
    s.malformed(`${typ} iat after exp`, show(late));
  }
  const hugeIat = fresh('VA');
  hugeIat.set(IAT, 2n ** 64n - 1n);
  hugeIat.set(EXP, 2n ** 64n - 2n);
  s.malformed('VA iat 2^64-1 after exp 2^64-2 (both past year 9999)', show(hugeIat));
  const vaRefShort = fresh('VA');
  dat(vaRefShort).set('ref', new Uint8Array(15));
  s.malformed('VA ref of 15 bytes', show(vaRefShort));
  const tkDepNeg = fresh('TK');
  dat(tkDepNeg).set('dep', -5);
  s.malformed('TK dep negative', show(tkDepNeg));
  const tkDepFloat = fresh('TK');
  dat(tkDepFloat).set('dep', now + 1800.5);
  s.malformed('TK dep a float', show(tkDepFloat));
  const clsInt = fresh('DL');
  dat(clsInt).set('cls', ['C1', 2]);
  s.malformed('DL cls with an int member', show(clsInt));

  // Same values, other CBOR spellings: an integral float is not a uint; a long-form uint still is.
  const float64 = (n: number): Uint8Array => {
    const b = Buffer.alloc(9);
    b[0] = 0xfb;
    b.writeDoubleBE(n, 1);
    return new Uint8Array(b);
  };
  const uint64 = (n: number): Uint8Array => {
    const b = Buffer.alloc(9);
    b[0] = 0x1b;
    b.writeBigUInt64BE(BigInt(n), 1);
    return new Uint8Array(b);
  };
  const expFloat = fresh('DL');
  s.malformed(
    'DL exp as an integral float64',
    kit.live(
      respelled(expFloat, (c) => c.set(EXP, MARKER), float64(expFloat.get(EXP) as number)),
      { gen: now, by: kit.mps },
    ),
  );
  s.malformed(
    'DL v as float16 1.0',
    kit.live(
      respelled(fresh('DL'), (c) => c.set('v', MARKER), Uint8Array.of(0xf9, 0x3c, 0x00)),
      { gen: now, by: kit.mps },
    ),
  );
  const depFloat = fresh('TK');
  s.malformed(
    'TK dep as an integral float64',
    kit.bare(
      respelled(depFloat, (c) => dat(c).set('dep', MARKER), float64(dat(depFloat).get('dep') as number)),
      { by: kit.mot },
    ),
  );
  const expLong = fresh('DL');
  s.probe(
    'DL exp as a uint in 8 bytes (not the preferred form)',
    kit.live(
      respelled(expLong, (c) => c.set(EXP, MARKER), uint64(expLong.get(EXP) as number)),
      { gen: now, by: kit.mps },
    ),
    'valid CBOR uint, not preferred serialization',
    false,
  );

  const probes: [string, (c: Claims) => void, string, boolean][] = [
    ['typ "XX"', (c) => c.set('typ', 'XX'), 'typ must be one of DL, VR, VA, VD, TK', true],
    ['typ "dl"', (c) => c.set('typ', 'dl'), 'typ is case-sensitive', true],
    [
      'cnf kty 2 (EC2)',
      (c) =>
        c.set(
          CNF,
          new Map([
            [
              1,
              new Map<number, unknown>([
                [1, 2],
                [-1, 6],
                [-2, kit.holder.publicKey],
              ]),
            ],
          ]),
        ),
      'COSE_Key must be OKP/Ed25519',
      true,
    ],
    [
      'dat.ot = "X"',
      (c) => {
        c.set('typ', 'VR');
        c.set('dat', new Map([...dat(kit.claims('VR', now))]));
        dat(c).set('ot', 'X');
      },
      'ot is P or O',
      false,
    ],
    ['dat.cls empty', (c) => dat(c).set('cls', []), 'array of tstr, none', false],
    ['exp 2^64-1', (c) => c.set(EXP, 2n ** 64n - 1n), 'a valid uint far in the future', false],
  ];
  for (const [label, edit, note, mustReject] of probes) {
    const c = fresh('DL');
    edit(c);
    s.probe(`DL ${label}`, show(c), note, mustReject);
  }
}

/** A uint no real claim has (encoded 1a deadbeef), marking where a re-spelled value goes. */
const MARKER = 0xdeadbeef;

/** The claims encoded with the marker placed by `place` and then replaced by `spelling` (raw CBOR bytes). */
function respelled(claims: Claims, place: (c: Claims) => void, spelling: Uint8Array): Uint8Array {
  place(claims);
  const bytes = cbor(claims);
  const at = Buffer.from(bytes).indexOf(Buffer.from([0x1a, 0xde, 0xad, 0xbe, 0xef]));
  if (at < 0) throw new Error('marker not found');
  return concatBytes(bytes.subarray(0, at), spelling, bytes.subarray(at + 5));
}
