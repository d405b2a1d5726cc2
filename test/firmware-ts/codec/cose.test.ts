import { describe, expect, it } from 'vitest';
import { decodeCoseSign1, sigStructure } from '../../../firmware-ts/codec/cose.js';
import { DecodeError } from '../../../firmware-ts/codec/decode-error.js';
import { decodeQrText } from '../../../firmware-ts/codec/qr-text.js';
import { Ed25519Verifier } from '../../../firmware-ts/verify/ed25519.js';
import { signCoseSign1 } from '../../../sim/authority/cose-sign.js';
import { keyFromSeed, signWith } from '../../../sim/authority/keys.js';
import { hex, vectors } from '../../helpers/vectors.js';

// RFC 8032 section 7.1, TEST 1 and TEST 2.
const RFC8032 = [
  {
    secret: '9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60',
    public: 'd75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a',
    message: '',
    signature: 'e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b',
  },
  {
    secret: '4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb',
    public: '3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c',
    message: '72',
    signature: '92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00',
  },
];

describe('Ed25519 (RFC 8032 test keys)', () => {
  const verifier = new Ed25519Verifier();
  it.each(RFC8032)('signs and verifies test vector $public', (t) => {
    const key = keyFromSeed(hex(t.secret));
    expect(Buffer.from(key.publicKey).toString('hex')).toBe(t.public);
    expect(Buffer.from(signWith(key, hex(t.message))).toString('hex')).toBe(t.signature);
    expect(verifier.verify(hex(t.public), hex(t.message), hex(t.signature))).toBe(true);
    const bad = hex(t.signature);
    bad[0]! ^= 1;
    expect(verifier.verify(hex(t.public), hex(t.message), bad)).toBe(false);
  });

  it('a COSE_Sign1 signed with an RFC 8032 key verifies over its Sig_structure, and not when altered', () => {
    const key = keyFromSeed(hex(RFC8032[0]!.secret));
    const cose = decodeCoseSign1(signCoseSign1({ payload: Buffer.from('roadscan'), key }));
    const toBeSigned = sigStructure(cose.protectedBytes, cose.payload);
    expect(verifier.verify(key.publicKey, toBeSigned, cose.signature)).toBe(true);
    expect(verifier.verify(key.publicKey, sigStructure(cose.protectedBytes, Buffer.from('roadscan!')), cose.signature)).toBe(false);
    expect(Buffer.from(cose.kid!)).toEqual(Buffer.from(key.kid));
  });

  it('refuses malformed keys and signatures without throwing', () => {
    expect(verifier.verify(new Uint8Array(31), new Uint8Array(0), new Uint8Array(64))).toBe(false);
    expect(verifier.verify(new Uint8Array(32).fill(0xff), new Uint8Array(0), new Uint8Array(64))).toBe(false);
  });
});

describe('COSE_Sign1 against the spec vectors', () => {
  for (const v of vectors.vectors) {
    it(`${v.name}: every stage matches`, () => {
      const outer = v.stages.presentation ?? v.stages.credential;
      expect(Buffer.from(decodeQrText(v.qr)).toString('hex')).toBe(outer.cose);
      for (const stage of [v.stages.credential, v.stages.presentation]) {
        if (!stage) continue;
        const cose = decodeCoseSign1(hex(stage.cose));
        expect(Buffer.from(cose.protectedBytes).toString('hex')).toBe(stage.protected);
        expect(Buffer.from(cose.payload).toString('hex')).toBe(stage.payload);
        expect(Buffer.from(sigStructure(cose.protectedBytes, cose.payload)).toString('hex')).toBe(stage.sigStructure);
      }
    });
  }

  it('the test authority reproduces an issuer COSE_Sign1 byte for byte from the vector key and payload', () => {
    const v = vectors.vectors.find((x) => x.name === 'dl-live')!;
    const cose = signCoseSign1({ payload: hex(v.stages.credential.payload), key: keyFromSeed(hex(vectors.keys.mps.seed)) });
    expect(Buffer.from(cose).toString('hex')).toBe(v.stages.credential.cose);
  });

  it.each([
    ['an array of 3', '83404040'],
    ['a wrong tag', 'd1844da201270448174ee1c8256b3331a0404000'],
    ['a short signature', '8443a10127a04040'],
    ['alg ES256 (-7)', `8443a10126a040${'5840' + '00'.repeat(64)}`],
    ['no alg', `8441a0a040${'5840' + '00'.repeat(64)}`],
    ['a 7-byte kid', `844ba2012704470102030405060 7a040${'5840' + '00'.repeat(64)}`.replace(/ /g, '')],
    ['trailing bytes', `8443a10127a040${'5840' + '00'.repeat(64)}00`],
  ])('refuses %s', (_name, h) => {
    expect(() => decodeCoseSign1(hex(h))).toThrow(DecodeError);
  });
});
