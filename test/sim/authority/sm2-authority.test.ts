/**
 * The test authority with SM2 keys (`TestAuthority.create('SM2')`, `roadscan sim init --alg
 * SM2`): its keys are the vectors' from the same seeds, every type it issues is accepted under
 * its own trust list, each flaw gives its reason, a holder of the other algorithm mixes in, and
 * an Ed25519 authority issues exactly as before.
 */
import { describe, expect, it } from 'vitest';
import { shippedChecker } from '../../../firmware-ts/app/shipped-checker.js';
import { CREDENTIAL_TYPES } from '../../../firmware-ts/codec/claims.js';
import { parseTrustList } from '../../../firmware-ts/verify/trust-list.js';
import { keyFromSeed } from '../../../sim/authority/keys.js';
import { type Flaw, TestAuthority } from '../../../sim/authority/test-authority.js';
import { vectors } from '../../helpers/vectors.js';

const NOW = Math.floor(Date.parse('2026-11-20T10:00:00+08:00') / 1000);
const time = { nowSec: NOW, reliable: true };
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const PROFILE_OF = { DL: 'roadside', VR: 'window', VA: 'window', VD: 'window', TK: 'window' } as const;

function reasons(authority: TestAuthority, text: string, profile: 'roadside' | 'window' = 'roadside', trust: unknown = authority.trustList()) {
  return shippedChecker({ trust, profile, region: '110105' })
    .check(text, time)
    .reasons.filter((r) => r !== 'STATUS_LIST_STALE' && r !== 'CHECK_ID');
}

describe('the SM2 test authority', () => {
  const authority = TestAuthority.create('SM2');

  it.each(Object.entries(vectors.sm2.keys))('key %s from its seed is the vectors’ key', (_name, k) => {
    const key = keyFromSeed(Buffer.from(k.seed, 'hex'), 'SM2');
    expect(hex(key.publicKey)).toBe(k.publicKey);
    expect(hex(key.kid)).toBe(k.kid);
  });

  it('its trust list lists every key as SM2 with its 65-byte point', () => {
    const json = authority.trustList();
    expect(json.issuers.every((e) => e.alg === 'SM2' && Buffer.from(e.key, 'base64url').length === 65)).toBe(true);
    expect(parseTrustList(json).keys.every((k) => k.publicKey.alg === 'SM2')).toBe(true);
  });

  it.each(CREDENTIAL_TYPES)('a %s it issues is accepted', (type) => {
    expect(reasons(authority, authority.code({ type, now: NOW }).text, PROFILE_OF[type] === 'roadside' ? 'roadside' : 'window')).toEqual([]);
  });

  const flaws: [Flaw, string][] = [
    ['issuer-signature', 'BAD_SIGNATURE'],
    ['holder-signature', 'BAD_HOLDER_SIGNATURE'],
    ['unknown-issuer', 'UNKNOWN_ISSUER'],
    ['wrong-issuer', 'ISSUER_NOT_AUTHORIZED'],
    ['alg-mismatch', 'BAD_SIGNATURE'],
    ['holder-alg-mismatch', 'BAD_HOLDER_SIGNATURE'],
  ];
  it.each(flaws)('flaw %s: %s', (flaw, reason) => {
    expect(reasons(authority, authority.code({ type: 'DL', now: NOW, flaw }).text)).toEqual([reason]);
  });

  it('an Ed25519 holder under the SM2 issuer, and an SM2 holder under an Ed25519 issuer: accepted', () => {
    expect(reasons(authority, authority.code({ type: 'DL', now: NOW, holder: authority.holderOf('EdDSA') }).text)).toEqual([]);
    const ed = TestAuthority.create();
    expect(reasons(ed, ed.code({ type: 'DL', now: NOW, holder: ed.holderOf('SM2') }).text)).toEqual([]);
  });

  it('a mixed trust list takes codes of both authorities', () => {
    const ed = TestAuthority.create();
    const both = { version: 1, issuers: [...authority.trustList().issuers, ...ed.trustList(1, { issuers: ['mps'] }).issuers] };
    expect(reasons(authority, authority.code({ type: 'DL', now: NOW }).text, 'roadside', both)).toEqual([]);
    expect(reasons(ed, ed.code({ type: 'DL', now: NOW }).text, 'roadside', both)).toEqual([]);
  });

  it('an Ed25519 authority writes exactly what it wrote before 1.2 (no alg in its list)', () => {
    const ed = TestAuthority.create();
    expect(ed.alg).toBe('EdDSA');
    expect(JSON.stringify(ed.trustList())).not.toContain('alg');
  });
});
