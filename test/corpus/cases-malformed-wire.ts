/**
 * MALFORMED below the claims: QR text (prefix, Base45, length), zlib (bombs, truncation, trailing
 * bytes, other containers), COSE_Sign1 shape and headers, and the presentation wrapper. Each
 * defect is applied to a known-good line, and the good lines are in the corpus as controls. The
 * two size limits are checked on both sides (1999 vs 2001 characters, 4096 vs 4097 inflated bytes).
 * @module
 */
import { randomBytes } from 'node:crypto';
import { deflateRawSync, deflateSync, gzipSync } from 'node:zlib';
import { ALG, EDDSA, KID, cbor, concatBytes, encodeSign1, qrOfBody, qrText, zlib } from './cose-writer.js';
import { IAT, type Claims } from './claims.js';
import { Setting } from './corpus-setting.js';
import type { IssuerKit } from './issuer-kit.js';
import { resizeSignature } from './tamper.js';

const bytesOf = (...n: number[]): Uint8Array => Uint8Array.from(n);

/** A pad giving an encoding of exactly `target` bytes (one more byte per pad byte, give or take its bstr header). */
function padded(target: number, build: (pad: number) => Uint8Array): Uint8Array {
  const estimate = 300 + target - build(300).length;
  for (let pad = Math.max(0, estimate - 4); pad <= estimate + 4; pad++) {
    const bytes = build(pad);
    if (bytes.length === target) return bytes;
  }
  throw new Error(`cannot pad to ${target} bytes`);
}

export function addMalformedWire(s: Setting, kit: IssuerKit): void {
  const now = s.nowSec;
  const dlClaims = (pad = 0): Claims => {
    const c = kit.claims('DL', now);
    if (pad > 0) c.set(99, new Uint8Array(pad));
    return c;
  };
  const live = kit.liveCose(dlClaims(), { gen: now });
  const text = qrText(live);
  const body45 = text.slice(4);
  const vdClaims = kit.claims('VD', now);
  const vd = kit.credential(vdClaims);
  s.expect('control: DL live', text, [], 'DL');
  s.expect('control: VD raw', qrText(vd, false), [], 'VD');

  // QR text.
  for (const prefix of ['RS2:', 'rs1:', 'Rs1:', 'RS1', 'RS1;', 'HC1:', 'RS1:RS1:', '']) {
    s.malformed(`prefix ${JSON.stringify(prefix)}`, prefix + body45);
  }
  s.malformed('empty line', '');
  s.malformed('prefix only', 'RS1:');
  s.malformed('lower-case Base45', 'RS1:' + body45.toLowerCase());
  for (const ch of ['a', '#', '_', 'é', '中', '\t', '=']) {
    s.malformed(`character ${JSON.stringify(ch)} inside the Base45`, 'RS1:' + body45.slice(0, 30) + ch + body45.slice(31));
  }
  s.malformed('Base45 triple GGW = 65536 alone', 'RS1:GGW');
  s.malformed('Base45 triple GGW = 65536 first', 'RS1:GGW' + body45.slice(3));
  s.malformed('Base45 triple ::: (max) inside', 'RS1:' + body45.slice(0, 30) + ':::' + body45.slice(33));
  s.malformed('Base45 final pair ZZ = 1610', text + 'ZZ');
  s.malformed('Base45 pair alone ZZ', 'RS1:ZZ');
  s.malformed('dangling Base45 character', text + '0');
  s.malformed('single Base45 character', 'RS1:0');
  s.malformed('Base45 cut by one character', text.slice(0, -1));
  s.probe('leading space', ' ' + text, 'the prefix is literal; a reader may or may not trim', false);
  s.probe('trailing space (a Base45 character)', text + ' ', 'space is in the Base45 alphabet: a dangling char unless trimmed', false);

  // Length limit: 1999 characters is the longest possible good text, 2001 the shortest too long.
  const rawLive = (pad: number): Uint8Array => kit.liveCose(dlClaims(pad), { gen: now });
  const at1999 = qrText(padded(1330, rawLive), false);
  const at2001 = qrText(padded(1331, rawLive), false);
  s.expect(`text of ${at1999.length} characters`, at1999, [], 'DL');
  s.malformed(`text of ${at2001.length} characters`, at2001);
  s.malformed('text of 100 000 characters', 'RS1:' + '0'.repeat(99_996));

  // zlib.
  const body = zlib(live);
  const inflated4096 = padded(4096, rawLive);
  const inflated4097 = padded(4097, rawLive);
  s.expect('zlib inflating to exactly 4096 bytes', qrText(inflated4096), [], 'DL');
  s.malformed('zlib inflating to 4097 bytes (a real signed credential)', qrText(inflated4097));
  s.malformed('zlib bomb: 1 MiB of zeros', qrOfBody(zlib(new Uint8Array(1 << 20))));
  s.malformed('zlib bomb: 5000 zero bytes', qrOfBody(zlib(new Uint8Array(5000))));
  s.malformed('zlib truncated: no Adler-32', qrOfBody(body.subarray(0, body.length - 4)));
  s.malformed('zlib truncated by one byte', qrOfBody(body.subarray(0, body.length - 1)));
  s.malformed('zlib truncated to half', qrOfBody(body.subarray(0, body.length >> 1)));
  s.malformed('zlib header only', qrOfBody(body.subarray(0, 2)));
  s.malformed('zlib with a wrong Adler-32', qrOfBody(concatBytes(body.subarray(0, body.length - 1), bytesOf(body[body.length - 1]! ^ 1))));
  s.malformed('zlib stream followed by a byte', qrOfBody(concatBytes(body, bytesOf(0))));
  s.malformed('zlib stream followed by a second one', qrOfBody(concatBytes(body, body)));
  s.malformed('0x78 then garbage', qrOfBody(concatBytes(bytesOf(0x78, 0x9c), new Uint8Array(randomBytes(40)))));
  s.malformed('zlib with a preset dictionary', qrOfBody(new Uint8Array(deflateSync(live, { dictionary: Buffer.from('RS1 dictionary') }))));
  s.malformed('zlib with a 16 KiB window (first byte 0x68)', qrOfBody(new Uint8Array(deflateSync(live, { windowBits: 14 }))));
  s.malformed('gzip body', qrOfBody(new Uint8Array(gzipSync(live))));
  s.malformed('raw deflate body', qrOfBody(new Uint8Array(deflateRawSync(live))));
  s.malformed('zlib inside zlib', qrOfBody(zlib(body)));
  s.malformed('zlib of a COSE followed by a byte', qrOfBody(zlib(concatBytes(live, bytesOf(0)))));
  s.malformed('raw COSE followed by a byte', qrOfBody(concatBytes(vd, bytesOf(0))));
  s.malformed('random body', qrOfBody(new Uint8Array(randomBytes(120))));

  // COSE_Sign1 shape and headers (a VD, accepted at a window when well-formed).
  const sign = (header: Map<number, unknown>): Uint8Array => kit.credential(vdClaims, { sign: { protectedHeader: header } });
  const kid = kit.mps.key.kid;
  s.malformed(
    'alg -7 (ES256)',
    qrText(
      sign(
        new Map<number, unknown>([
          [ALG, -7],
          [KID, kid],
        ]),
      ),
    ),
  );
  s.malformed('alg missing', qrText(sign(new Map<number, unknown>([[KID, kid]]))));
  s.malformed(
    'alg "EdDSA" as text',
    qrText(
      sign(
        new Map<number, unknown>([
          [ALG, 'EdDSA'],
          [KID, kid],
        ]),
      ),
    ),
  );
  s.malformed(
    'kid of 7 bytes',
    qrText(
      sign(
        new Map<number, unknown>([
          [ALG, EDDSA],
          [KID, kid.subarray(0, 7)],
        ]),
      ),
    ),
  );
  s.malformed(
    'kid of 9 bytes',
    qrText(
      sign(
        new Map<number, unknown>([
          [ALG, EDDSA],
          [KID, concatBytes(kid, bytesOf(0))],
        ]),
      ),
    ),
  );
  s.malformed(
    'kid as text',
    qrText(
      sign(
        new Map<number, unknown>([
          [ALG, EDDSA],
          [KID, Buffer.from(kid).toString('hex')],
        ]),
      ),
    ),
  );
  s.probe('kid nowhere', qrText(sign(new Map<number, unknown>([[ALG, EDDSA]]))), 'no kid: MALFORMED or UNKNOWN_ISSUER', true);
  s.probe(
    'alg only in the unprotected header',
    qrText(
      kit.credential(vdClaims, {
        sign: { protectedHeader: new Map<number, unknown>([[KID, kid]]) },
        tamper: (p) => ({ ...p, unprotected: new Map<number, unknown>([[ALG, EDDSA]]) }),
      }),
    ),
    'spec puts alg in the protected map',
    true,
  );
  const parts = kit.mps.signParts(vdClaims);
  const raw = (members: unknown[], tag = true): string => qrText(tag ? concatBytes(bytesOf(0xd2), cbor(members)) : cbor(members));
  s.malformed("protected = h'' (no alg)", raw([new Uint8Array(0), parts.unprotected, parts.payload, parts.signature]));
  s.malformed('protected = {} (signed, no alg)', qrText(encodeSign1(kit.mps.signParts(vdClaims, { protectedHeader: new Map() }))));
  s.malformed(
    'protected header bytes with a trailing byte (signed)',
    raw([concatBytes(parts.protectedBytes, bytesOf(0)), parts.unprotected, parts.payload, parts.signature]),
  );
  s.malformed('protected bstr holding an array', raw([cbor([1, -8]), parts.unprotected, parts.payload, parts.signature]));
  s.malformed(
    'protected as a map, not a bstr',
    raw([
      new Map<number, unknown>([
        [ALG, EDDSA],
        [KID, kid],
      ]),
      parts.unprotected,
      parts.payload,
      parts.signature,
    ]),
  );
  s.malformed('unprotected as a bstr', raw([parts.protectedBytes, new Uint8Array(0), parts.payload, parts.signature]));
  s.malformed('payload nil (detached)', raw([parts.protectedBytes, parts.unprotected, null, parts.signature]));
  s.malformed('payload as a map, not a bstr', raw([parts.protectedBytes, parts.unprotected, vdClaims, parts.signature]));
  s.malformed('signature as text', raw([parts.protectedBytes, parts.unprotected, parts.payload, 'sig']));
  s.malformed('COSE array of 3', raw([parts.protectedBytes, parts.unprotected, parts.payload]));
  s.malformed('COSE array of 5', raw([parts.protectedBytes, parts.unprotected, parts.payload, parts.signature, parts.signature]));
  s.malformed(
    'COSE as a map',
    qrText(
      cbor(
        new Map<number, unknown>([
          [0, parts.protectedBytes],
          [2, parts.payload],
          [3, parts.signature],
        ]),
      ),
    ),
  );
  s.malformed(
    'tag 98 (COSE_Sign) instead of 18',
    qrText(concatBytes(bytesOf(0xd8, 0x62), cbor([parts.protectedBytes, parts.unprotected, parts.payload, parts.signature]))),
  );
  s.malformed('tag 17 (COSE_Mac0) instead of 18', qrText(concatBytes(bytesOf(0xd1), cbor([parts.protectedBytes, parts.unprotected, parts.payload, parts.signature]))));
  s.malformed('tag 61 (CWT) around tag 18', qrText(concatBytes(bytesOf(0xd8, 0x3d), vd)));
  s.malformed('tag 18 twice', qrText(concatBytes(bytesOf(0xd2), vd)));
  s.malformed('claims followed by a byte (signed)', qrText(kit.credential(concatBytes(cbor(vdClaims), bytesOf(0)), { by: kit.mps })));
  s.malformed('claims as an array (signed)', qrText(kit.credential(cbor([...vdClaims.values()]), { by: kit.mps })));
  s.malformed('claims empty map (signed)', qrText(kit.credential(cbor(new Map()), { by: kit.mps })));
  s.probe('signature of 63 bytes', qrText(kit.credential(vdClaims, { tamper: resizeSignature(63) })), 'bstr(64): MALFORMED or BAD_SIGNATURE', true);
  s.probe('signature of 65 bytes', qrText(kit.credential(vdClaims, { tamper: resizeSignature(65) })), 'bstr(64): MALFORMED or BAD_SIGNATURE', true);
  s.probe('claims as an indefinite-length map (signed)', qrText(kit.credential(indefiniteMap(vdClaims), { by: kit.mps })), 'valid CBOR, not canonical', false);
  s.probe('claims with a duplicated typ key (signed)', qrText(kit.credential(duplicateKey(vdClaims, 'typ', 'TK'), { by: kit.mps })), 'duplicate map keys', true);

  // The presentation wrapper.
  const edit = (label: string, change: (p: Map<number | string, unknown>) => void): void => {
    s.malformed(`presentation: ${label}`, kit.live(dlClaims(), { gen: now, editPayload: change }));
  };
  edit('gen missing', (p) => p.delete(IAT));
  edit('gen as text', (p) => p.set(IAT, String(now)));
  edit('gen negative', (p) => p.set(IAT, -now));
  edit('gen a float', (p) => p.set(IAT, now + 0.5));
  edit('vp as an array', (p) => p.set('vp', [1, 2, 3, 4]));
  edit('vp garbage bytes', (p) => p.set('vp', new Uint8Array(randomBytes(64))));
  edit('vp zlib-compressed', (p) => p.set('vp', zlib(p.get('vp') as Uint8Array)));
  edit('vp holding another presentation', (p) => p.set('vp', live));
  edit('vp missing', (p) => p.delete('vp'));
  s.malformed('presentation: alg -7', kit.live(dlClaims(), { gen: now, outerHeader: new Map([[ALG, -7]]) }));
  s.malformed('presentation: alg missing', kit.live(dlClaims(), { gen: now, outerHeader: new Map() }));
  s.probe('presentation: nonce of 7 bytes', kit.live(dlClaims(), { gen: now, nonce: new Uint8Array(7) }), '"n" is bstr(8)', false);
  s.probe('presentation: nonce as text', kit.live(dlClaims(), { gen: now, editPayload: (p) => p.set('n', 'nonce') }), '"n" is bstr(8)', false);
  s.probe(
    'presentation: kid of the holder in the protected header',
    kit.live(dlClaims(), {
      gen: now,
      outerHeader: new Map<number, unknown>([
        [ALG, EDDSA],
        [KID, kit.holder.kid],
      ]),
    }),
    'section 4 says no kid',
    false,
  );
}

/** The map re-encoded with an indefinite-length header (0xbf ... 0xff), entries unchanged. */
function indefiniteMap(claims: Claims): Uint8Array {
  const definite = cbor(claims);
  const headerLength = definite[0]! >= 0xa0 && definite[0]! <= 0xb7 ? 1 : 2;
  return concatBytes(bytesOf(0xbf), definite.subarray(headerLength), bytesOf(0xff));
}

/** The map with one more entry repeating `key` with another value (count fixed up by hand). */
function duplicateKey(claims: Claims, key: string, value: unknown): Uint8Array {
  const definite = cbor(claims);
  if (definite[0]! < 0xa0 || definite[0]! >= 0xb7) throw new Error('map too large for this helper');
  return concatBytes(bytesOf(definite[0]! + 1), definite.subarray(1), cbor(key), cbor(value));
}
