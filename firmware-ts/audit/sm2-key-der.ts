/**
 * An SM2 device key in the files OpenSSL reads and writes (PKCS#8 and SPKI, id-ecPublicKey on the
 * SM2 curve, OID 1.2.156.10197.1.301), encoded and decoded here by their fixed layout rather than
 * through node:crypto: Node 20 loads such a key as an algorithm it does not know (no type, and
 * exporting its private half aborts the process), so an SM2 key never becomes a KeyObject.
 * @module
 */
import { randomBytes } from 'node:crypto';
import { Sm2PublicKey, sm2PublicKeyOf } from '../crypto/sm2.js';

/** SPKI DER up to the 65-byte point: SEQUENCE { id-ecPublicKey, SM2 curve }, BIT STRING. */
const SPKI_PREFIX = Buffer.from('3059301306072a8648ce3d020106082a811ccf5501822d034200', 'hex');
/** PKCS#8 DER up to the private scalar, then between the scalar and the point (as OpenSSL writes it). */
const PKCS8_PREFIX = Buffer.from('308187020100301306072a8648ce3d020106082a811ccf5501822d046d306b0201010420', 'hex');
const PKCS8_MIDDLE = Buffer.from('a144034200', 'hex');
const PKCS8_BYTES = PKCS8_PREFIX.length + 32 + PKCS8_MIDDLE.length + 65;

/** An SM2 key pair: the private scalar (32 bytes) and the uncompressed public point (65 bytes). */
export interface Sm2KeyPair {
  d: Buffer;
  point: Buffer;
}

/** A new key pair: a random scalar in [1, n-2] and its point. */
export function newSm2KeyPair(): Sm2KeyPair {
  for (;;) {
    const d = randomBytes(32);
    try {
      return { d, point: Buffer.from(sm2PublicKeyOf(d)) };
    } catch {
      // Outside [1, n-2] (about 2^-32 of draws): draw again.
    }
  }
}

export function sm2Pkcs8(pair: Sm2KeyPair): Buffer {
  return Buffer.concat([PKCS8_PREFIX, pair.d, PKCS8_MIDDLE, pair.point]);
}

/** The key pair of a PKCS#8 DER, or null when it is not an SM2 key of this layout or its point is not its scalar's. */
export function sm2OfPkcs8(der: Buffer): Sm2KeyPair | null {
  if (der.length !== PKCS8_BYTES || !der.subarray(0, PKCS8_PREFIX.length).equals(PKCS8_PREFIX)) return null;
  const d = der.subarray(PKCS8_PREFIX.length, PKCS8_PREFIX.length + 32);
  if (!der.subarray(PKCS8_PREFIX.length + 32, PKCS8_PREFIX.length + 32 + PKCS8_MIDDLE.length).equals(PKCS8_MIDDLE)) return null;
  const point = der.subarray(PKCS8_BYTES - 65);
  try {
    return Buffer.from(sm2PublicKeyOf(d)).equals(point) ? { d: Buffer.from(d), point: Buffer.from(point) } : null;
  } catch {
    return null;
  }
}

export function sm2Spki(point: Buffer): Buffer {
  return Buffer.concat([SPKI_PREFIX, point]);
}

/** The point of an SM2 SPKI DER, or null when `der` is not one (any other key, or a point off the curve). */
export function sm2PointOfSpki(der: Buffer): Buffer | null {
  if (der.length !== SPKI_PREFIX.length + 65 || !der.subarray(0, SPKI_PREFIX.length).equals(SPKI_PREFIX)) return null;
  const point = Buffer.from(der.subarray(SPKI_PREFIX.length));
  return Sm2PublicKey.fromBytes(point, { keep: false }) ? point : null;
}

/** PEM armour of DER bytes, 64 characters a line. */
export function pemOf(label: 'PRIVATE KEY' | 'PUBLIC KEY', der: Buffer): string {
  const b64 = der.toString('base64').replace(/.{64}/g, '$&\n');
  return `-----BEGIN ${label}-----\n${b64}${b64.endsWith('\n') ? '' : '\n'}-----END ${label}-----\n`;
}

/** The DER inside a PEM of `label`, or null when the text is not one. */
export function derOfPem(label: 'PRIVATE KEY' | 'PUBLIC KEY', pem: string): Buffer | null {
  const m = new RegExp(`^-----BEGIN ${label}-----\\r?\\n([A-Za-z0-9+/=\\r\\n]+)-----END ${label}-----\\s*$`).exec(pem.trim());
  return m ? Buffer.from(m[1]!.replace(/\s+/g, ''), 'base64') : null;
}
