/**
 * Roadside checks in Beijing (110105) at 2026-11-20 10:00 CST: wire variants of a good live
 * licence, presentation freshness and holder binding, every issuer failure, validity instants, the
 * licence's own dates, and the roadside row of the profile table for all five types.
 * @module
 */
import { randomBytes } from 'node:crypto';
import { decode } from 'cborg';
import { EXP, IAT, ISS, NBF, at, type Claims, type Dat } from './claims.js';
import { ALG, EDDSA, KID, concatBytes, cbor } from './cose-writer.js';
import { Setting } from './corpus-setting.js';
import type { IssuerKit } from './issuer-kit.js';
import { flipSignature, swapPayload, swapProtected, zeroSignature } from './tamper.js';

const dat = (claims: Claims): Dat => claims.get('dat') as Dat;

export function roadsideSetting(kit: IssuerKit): Setting {
  const s = new Setting('roadside 110105', 'roadside', '110105', '2026-11-20T10:00:00+08:00');
  const now = s.nowSec;
  const dl = (): Claims => kit.claims('DL', now);

  // A good live licence in every accepted wire form.
  s.expect('DL live: tagged COSE, zlib body', kit.live(dl(), { gen: now }), [], 'DL');
  s.expect('DL live: raw body', kit.live(dl(), { gen: now, compress: false }), [], 'DL');
  s.expect('DL live: inner and outer untagged, raw body', kit.live(dl(), { gen: now, innerTagged: false, outerTagged: false, compress: false }), [], 'DL');
  s.expect('DL live: inner untagged', kit.live(dl(), { gen: now, innerTagged: false }), [], 'DL');
  s.expect('DL live: outer untagged', kit.live(dl(), { gen: now, outerTagged: false }), [], 'DL');
  s.expect('DL live: issuer kid in the unprotected header', kit.live(dl(), { gen: now, sign: { kidPlace: 'unprotected' } }), [], 'DL');
  s.expect('DL live: issuer kid in both headers', kit.live(dl(), { gen: now, sign: { kidPlace: 'both' } }), [], 'DL');
  s.expect('DL live: protected kid wins over a foreign unprotected kid', kit.live(dl(), { gen: now, sign: { unprotectedKid: kit.rogue.key.kid } }), [], 'DL');
  s.expect('DL live: with an 8-byte nonce', kit.live(dl(), { gen: now, nonce: new Uint8Array(randomBytes(8)) }), [], 'DL');
  const extra = dl();
  extra.set(99, 'future claim');
  extra.set('zz', [1, 2, 3]);
  dat(extra).set('xyz', 'future field');
  s.expect('DL live: unknown claims and dat fields are ignored', kit.live(extra, { gen: now }), [], 'DL');
  const ansi = dl();
  dat(ansi).set('nam', '\u001b[2J张\u0007*\u009b\u200b');
  dat(ansi).set('off', 'line1\r\nline2\ttab\u007f');
  s.expect('DL live: control characters in text fields (shown stripped)', kit.live(ansi, { gen: now }), [], 'DL');

  // Freshness window [-30 s, +180 s].
  s.expect('DL live: generated 180 s ago (edge)', kit.live(dl(), { gen: now - 180 }), [], 'DL');
  s.expect('DL live: generated 181 s ago', kit.live(dl(), { gen: now - 181 }), ['STALE_PRESENTATION'], 'DL');
  s.expect('DL live: screenshot 1 h old', kit.live(dl(), { gen: now - 3600 }), ['STALE_PRESENTATION'], 'DL');
  s.expect('DL live: generated 30 s ahead (edge of skew)', kit.live(dl(), { gen: now + 30 }), [], 'DL');
  s.expect('DL live: generated 31 s ahead', kit.live(dl(), { gen: now + 31 }), ['STALE_PRESENTATION'], 'DL');
  s.expect('DL live: generated 1 day ahead', kit.live(dl(), { gen: now + 86_400 }), ['STALE_PRESENTATION'], 'DL');
  s.expect('DL live: gen 0', kit.live(dl(), { gen: 0 }), ['STALE_PRESENTATION'], 'DL');

  // Holder binding.
  s.expect('DL bare (copied code)', kit.bare(dl()), ['PRESENTATION_REQUIRED'], 'DL');
  s.expect('DL bare, raw untagged', kit.bare(dl(), { compress: false, sign: { tagged: false } }), ['PRESENTATION_REQUIRED'], 'DL');
  s.expect('DL live signed by another holder key', kit.live(dl(), { gen: now, holder: kit.otherHolder }), ['BAD_HOLDER_SIGNATURE'], 'DL');
  s.expect('DL live: holder signature bit flipped', kit.live(dl(), { gen: now, tamperOuter: flipSignature }), ['BAD_HOLDER_SIGNATURE'], 'DL');
  s.expect(
    'DL live: gen rewritten to now after the holder signed it an hour ago',
    kit.live(dl(), {
      gen: now - 3600,
      tamperOuter: (p) => {
        const payload = decode(p.payload, { useMaps: true }) as Map<number | string, unknown>;
        payload.set(IAT, now);
        return { ...p, payload: cbor(payload) };
      },
    }),
    ['BAD_HOLDER_SIGNATURE'],
    'DL',
  );

  // Issuer failures.
  s.expect('DL live: issuer signature bit flipped', kit.live(dl(), { gen: now, tamper: flipSignature }), ['BAD_SIGNATURE'], 'DL');
  s.expect('DL live: issuer signature all zero', kit.live(dl(), { gen: now, tamper: zeroSignature }), ['BAD_SIGNATURE'], 'DL');
  const altered = dl();
  const original = new Map(altered);
  original.set('dat', new Map(dat(altered)));
  dat(altered).set('cls', ['A1', 'A2', 'B1', 'B2', 'C1']);
  s.expect('DL live: classes altered after issuer signing', kit.live(original, { gen: now, tamper: swapPayload(altered) }), ['BAD_SIGNATURE'], 'DL');
  const reordered = concatBytes(Uint8Array.of(0xa2, 0x04, 0x48), kit.mps.key.kid, Uint8Array.of(0x01, 0x27));
  s.expect('DL live: protected header re-encoded in another key order', kit.live(dl(), { gen: now, tamper: swapProtected(reordered) }), ['BAD_SIGNATURE'], 'DL');
  s.expect('DL live: issuer not in the trust list', kit.live(dl(), { gen: now, by: kit.rogue }), ['UNKNOWN_ISSUER'], 'DL');
  s.expect('DL live: unknown kid, unprotected only', kit.live(dl(), { gen: now, by: kit.rogue, sign: { kidPlace: 'unprotected' } }), ['UNKNOWN_ISSUER'], 'DL');
  const underKid = (kid: Uint8Array): Map<number, unknown> =>
    new Map<number, unknown>([
      [ALG, EDDSA],
      [KID, kid],
    ]);
  s.expect(
    'DL live: MPS key signs under the kid of an unknown key',
    kit.live(dl(), { gen: now, sign: { protectedHeader: underKid(kit.rogue.key.kid) } }),
    ['UNKNOWN_ISSUER'],
    'DL',
  );
  s.expect(
    "DL live: MPS key signs under the ticket key's kid",
    kit.live(dl(), { gen: now, sign: { protectedHeader: underKid(kit.mot.key.kid) } }),
    ['ISSUER_NOT_AUTHORIZED', 'BAD_SIGNATURE'],
    'DL',
  );
  s.expect('DL live: kid of the holder key (not an issuer)', kit.live(dl(), { gen: now, sign: { protectedHeader: underKid(kit.holder.kid) } }), ['UNKNOWN_ISSUER'], 'DL');
  const wrongIss = dl();
  wrongIss.set(ISS, 'CN-MPS-120000');
  s.expect("DL live: iss differs from the key's iss", kit.live(wrongIss, { gen: now }), ['ISSUER_NOT_AUTHORIZED'], 'DL');
  const motDl = dl();
  motDl.set(ISS, kit.mot.iss);
  s.expect('DL live: signed by the ticket key (type not allowed)', kit.live(motDl, { gen: now, by: kit.mot }), ['ISSUER_NOT_AUTHORIZED'], 'DL');
  s.expect('DL live: signed by the status-list key', kit.live(dl(), { gen: now, by: kit.statusSigner }), ['ISSUER_NOT_AUTHORIZED'], 'DL');
  const windowCase = (label: string, iatIso: string, reasons: 'ISSUER_NOT_AUTHORIZED'[]): void => {
    const c = dl();
    c.set(IAT, at(iatIso));
    c.set(NBF, at(iatIso));
    s.expect(`DL live: retired key, iat ${label}`, kit.live(c, { gen: now, by: kit.mpsRetired }), reasons, 'DL');
  };
  windowCase('= notBefore', '2021-01-01T00:00:00Z', []);
  windowCase('1 s before notBefore', '2020-12-31T23:59:59Z', ['ISSUER_NOT_AUTHORIZED']);
  windowCase('1 s before notAfter', '2024-12-31T23:59:59Z', []);
  windowCase('= notAfter', '2025-01-01T00:00:00Z', ['ISSUER_NOT_AUTHORIZED']);

  // Large instants are still uints.
  s.expect('DL live: exp = 2^40 (year 36812)', kit.live(timedBig(dl(), EXP, 2 ** 40), { gen: now }), [], 'DL');
  s.expect('DL live: gen = 2^40', kit.live(dl(), { gen: 2 ** 40 }), ['STALE_PRESENTATION'], 'DL');
  s.probe('DL live: exp = 2^53 + 2', kit.live(timedBig(dl(), EXP, 2n ** 53n + 2n), { gen: now }), 'a valid uint beyond JS safe integers', false);
  s.probe(
    'DL live: presentation payload with an unknown key',
    kit.live(dl(), { gen: now, editPayload: (p) => p.set('zz', 1) }),
    'section 4 lists vp, 6 and n only',
    false,
  );

  // Validity instants and the licence's own dates (CST).
  const timed = (key: number, value: number): Claims => {
    const c = dl();
    c.set(key, value);
    return c;
  };
  s.expect('DL live: nbf = now', kit.live(timed(NBF, now), { gen: now }), [], 'DL');
  s.expect('DL live: nbf = now + 1', kit.live(timed(NBF, now + 1), { gen: now }), ['NOT_YET_VALID'], 'DL');
  s.expect('DL live: exp = now + 1', kit.live(timed(EXP, now + 1), { gen: now }), [], 'DL');
  s.expect('DL live: exp = now', kit.live(timed(EXP, now), { gen: now }), ['EXPIRED'], 'DL');
  const dated = (field: string, value: string): Claims => {
    const c = dl();
    dat(c).set(field, value);
    return c;
  };
  s.expect('DL live: vto yesterday', kit.live(dated('vto', '2026-11-19'), { gen: now }), ['EXPIRED'], 'DL');
  s.expect('DL live: vto today', kit.live(dated('vto', '2026-11-20'), { gen: now }), [], 'DL');
  s.expect('DL live: vfr tomorrow', kit.live(dated('vfr', '2026-11-21'), { gen: now }), ['NOT_YET_VALID'], 'DL');
  s.expect('DL live: vfr today', kit.live(dated('vfr', '2026-11-20'), { gen: now }), [], 'DL');

  // Several failures at once: every reason, most important first.
  s.expect(
    'DL live: expired, stale and signed by the wrong holder',
    kit.live(timed(EXP, now - 10), { gen: now - 600, holder: kit.otherHolder }),
    ['BAD_HOLDER_SIGNATURE', 'EXPIRED', 'STALE_PRESENTATION'],
    'DL',
  );
  s.expect(
    'DL live: wrong iss and a flipped issuer signature',
    kit.live(wrongIss, { gen: now, tamper: flipSignature }),
    ['ISSUER_NOT_AUTHORIZED', 'BAD_SIGNATURE'],
    'DL',
  );
  s.expect(
    'DL live: unknown issuer and the wrong holder',
    kit.live(dl(), { gen: now, by: kit.rogue, holder: kit.otherHolder }),
    ['UNKNOWN_ISSUER', 'BAD_HOLDER_SIGNATURE'],
    'DL',
  );
  s.expect(
    'DL bare: unknown issuer, not yet valid',
    kit.bare(timed(NBF, now + 3600), { by: kit.rogue }),
    ['UNKNOWN_ISSUER', 'NOT_YET_VALID', 'PRESENTATION_REQUIRED'],
    'DL',
  );
  s.expect(
    'DL live: ticket key signs a DL, bad holder, 10 min old',
    kit.live(motDl, { gen: now - 600, by: kit.mot, holder: kit.otherHolder }),
    ['ISSUER_NOT_AUTHORIZED', 'BAD_HOLDER_SIGNATURE', 'STALE_PRESENTATION'],
    'DL',
  );

  // The roadside row of the profile table.
  const vr = (): Claims => kit.claims('VR', now);
  s.expect('VR live at the roadside', kit.live(vr(), { gen: now }), ['PAPER_REQUIRED'], 'VR');
  const vrOld = vr();
  dat(vrOld).set('ivu', '2026-11-19');
  s.expect('VR live, inspection overdue', kit.live(vrOld, { gen: now }), ['INSPECTION_OVERDUE', 'PAPER_REQUIRED'], 'VR');
  s.expect('VR bare', kit.bare(vr()), ['PRESENTATION_REQUIRED', 'PAPER_REQUIRED'], 'VR');
  s.expect('VA live at the roadside', kit.live(kit.claims('VA', now), { gen: now }), ['PAPER_REQUIRED'], 'VA');
  s.expect('VA bare', kit.bare(kit.claims('VA', now)), ['PRESENTATION_REQUIRED', 'PAPER_REQUIRED'], 'VA');
  const vaLong = kit.claims('VA', now);
  vaLong.set(NBF, at('2026-11-16T09:00:00+08:00'));
  vaLong.set(IAT, at('2026-11-16T09:00:00+08:00'));
  vaLong.set(EXP, at('2026-11-25T18:00:00+08:00'));
  s.expect('VA live, 8 working days (Nov 16-25)', kit.live(vaLong, { gen: now }), ['AUTHORIZATION_TOO_LONG', 'PAPER_REQUIRED'], 'VA');
  s.expect('VD at the roadside', kit.bare(kit.claims('VD', now)), ['NOT_APPLICABLE'], 'VD');
  const vdOld = kit.claims('VD', now);
  dat(vdOld).set('ivu', '2026-10-31');
  s.expect('VD at the roadside, inspection overdue', kit.bare(vdOld), ['NOT_APPLICABLE', 'INSPECTION_OVERDUE'], 'VD');
  s.expect('TK at the roadside', kit.bare(kit.claims('TK', now)), ['NOT_APPLICABLE'], 'TK');
  s.expect('TK wrapped in a presentation (no cnf to check it with)', kit.live(kit.claims('TK', now), { gen: now }), ['BAD_HOLDER_SIGNATURE', 'NOT_APPLICABLE'], 'TK');
  const tkByMps = kit.claims('TK', now);
  tkByMps.set(ISS, kit.mps.iss);
  s.expect('TK signed by the MPS key (type not allowed)', kit.bare(tkByMps, { by: kit.mps }), ['ISSUER_NOT_AUTHORIZED', 'NOT_APPLICABLE'], 'TK');
  const tkBySl = kit.claims('TK', now);
  tkBySl.set(ISS, kit.statusSigner.iss);
  s.expect('TK signed by the status-list key', kit.bare(tkBySl, { by: kit.statusSigner }), ['ISSUER_NOT_AUTHORIZED', 'NOT_APPLICABLE'], 'TK');
  s.expect('TK from an unknown issuer, expired', kit.bare(timedTk(kit, now), { by: kit.rogue }), ['UNKNOWN_ISSUER', 'EXPIRED', 'NOT_APPLICABLE'], 'TK');
  return s;
}

function timedBig(c: Claims, key: number, value: number | bigint): Claims {
  c.set(key, value);
  return c;
}

function timedTk(kit: IssuerKit, now: number): Claims {
  const c = kit.claims('TK', now);
  c.set(EXP, now - 1);
  return c;
}
