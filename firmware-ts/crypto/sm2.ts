/**
 * SM2 signatures with SM3 (GB/T 32918.2-2016, GB/T 32905-2016), as docs/CREDENTIALS.md section 2
 * uses them: `e = SM3(Z || M)` with the default user ID `1234567812345678` (GM/T 0009-2012), the
 * signature `r || s`, 32 bytes each. Chosen by measurement (`npm run bench sm2`, docs/ "In
 * roadscan"): node:crypto has no SM2 signature (its `sign('sm3')` on an SM2-curve key is ECDSA),
 * the SM2 libraries of the npm registry verified in 7 to 20 ms, and the audited short-Weierstrass
 * arithmetic of @noble/curves on the SM2 curve with node:crypto's SM3 is the fastest of them;
 * a trust-list key also gets a precomputed window once it has verified twice.
 *
 * A key is checked (65 bytes, 0x04, on the curve, not the identity) and its Z computed once, when
 * it is made: so when the trust list is read, never at each scan. A signature that cannot be one
 * (r or s outside [1, n-1]) is refused before any curve arithmetic; `curveWork()` counts the
 * signatures that reached it, so a test can hold that.
 *
 * Also the small face other modules sign with (a device key): `sm2Sign` and `sm2PublicKeyOf`.
 * @module
 */
import { createHash, randomBytes } from 'node:crypto';
import { weierstrass, type WeierstrassOpts, type WeierstrassPoint } from '@noble/curves/abstract/weierstrass.js';

/** The curve of GB/T 32918.5-2017. */
export const SM2_CURVE: WeierstrassOpts<bigint> = {
  p: 0xfffffffeffffffffffffffffffffffffffffffff00000000ffffffffffffffffn,
  a: 0xfffffffeffffffffffffffffffffffffffffffff00000000fffffffffffffffcn,
  b: 0x28e9fa9e9d9f5e344d5a9e4bcf6509a7f39789f515ab8f92ddbcbd414d940e93n,
  n: 0xfffffffeffffffffffffffffffffffff7203df6b21c6052b53bbf40939d54123n,
  h: 1n,
  Gx: 0x32c4ae2c1f1981195f9904466a39c9948fe30bbff2660be1715a4589334c74c7n,
  Gy: 0xbc3736a2f4f6779c59bdcee36b692153d0a9877cc62a474002df32e52139f0a0n,
};

/** GM/T 0009-2012's default user ID, the one the spec uses. */
export const SM2_DEFAULT_USER_ID = '1234567812345678';

const Point = weierstrass(SM2_CURVE);
const N = SM2_CURVE.n;
/** Window of the precomputed tables (of G, and of a trust-list key); measured in `npm run bench sm2`. */
export const SM2_WINDOW = 8;
/** A trust-list key's window is built at its second verification: one-shot commands never pay it. */
const WINDOW_AFTER_USES = 2;
/** G's window is built once this process has verified more than one code's two signatures. */
const BASE_WINDOW_AFTER = 3;
let verifications = 0;

let curveWorkCount = 0;
/** How many signature checks reached the curve arithmetic (for tests: malformed ones never do). */
export function curveWork(): number {
  return curveWorkCount;
}

function be32(v: bigint): Buffer {
  return Buffer.from(v.toString(16).padStart(64, '0'), 'hex');
}

function toBig(b: Uint8Array): bigint {
  return BigInt(`0x${Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex') || '0'}`);
}

const Z_PREFIX = Buffer.concat([
  Buffer.from([0x00, 0x80]), // ENTL: the ID's length in bits, 16 * 8
  Buffer.from(SM2_DEFAULT_USER_ID, 'ascii'),
  be32(SM2_CURVE.a),
  be32(SM2_CURVE.b),
  be32(SM2_CURVE.Gx),
  be32(SM2_CURVE.Gy),
]);

/** `Z = SM3(ENTL || ID || a || b || xG || yG || xA || yA)` of an uncompressed point (65 bytes). */
export function sm2Z(point65: Uint8Array): Buffer {
  return createHash('sm3').update(Z_PREFIX).update(point65.subarray(1)).digest();
}

/** `e = SM3(Z || M)` as an integer. */
function digestOf(z: Uint8Array, message: Uint8Array): bigint {
  return toBig(createHash('sm3').update(z).update(message).digest());
}

function parsePoint(bytes: Uint8Array): WeierstrassPoint<bigint> | null {
  if (bytes.length !== 65 || bytes[0] !== 0x04) return null;
  try {
    // fromBytes refuses coordinates outside the field and a point off the curve.
    const p = Point.fromBytes(bytes);
    return p.is0() ? null : p;
  } catch {
    return null;
  }
}

/** An SM2 public key: the 65-byte uncompressed point, checked, with its Z computed once. */
export class Sm2PublicKey {
  private uses = 0;

  private constructor(
    readonly bytes: Uint8Array,
    private readonly point: WeierstrassPoint<bigint>,
    readonly z: Buffer,
    private readonly windowed: boolean,
  ) {}

  /**
   * The key of `bytes`, or null when they are not a valid SM2 public key (not 65 bytes starting
   * 0x04, a coordinate outside the field, off the curve, or the identity). `keep`: a key that
   * signs many codes (a trust-list key) gets a precomputed window; a holder key does not.
   */
  static fromBytes(bytes: Uint8Array, opts: { keep: boolean }): Sm2PublicKey | null {
    const point = parsePoint(bytes);
    if (!point) return null;
    const own = Uint8Array.from(bytes);
    return new Sm2PublicKey(own, point, sm2Z(own), opts.keep);
  }

  /** Whether `signature` (r || s, 64 bytes) is this key's SM2 signature of `message`. */
  verify(message: Uint8Array, signature: Uint8Array): boolean {
    if (signature.length !== 64) return false;
    const r = toBig(signature.subarray(0, 32));
    const s = toBig(signature.subarray(32));
    // Not a signature at all: refused before any curve arithmetic.
    if (r < 1n || r >= N || s < 1n || s >= N) return false;
    const t = (r + s) % N;
    if (t === 0n) return false;
    const e = digestOf(this.z, message);
    curveWorkCount++;
    if (++verifications === BASE_WINDOW_AFTER) Point.BASE.precompute(SM2_WINDOW, false);
    if (this.windowed && ++this.uses === WINDOW_AFTER_USES) this.point.precompute(SM2_WINDOW, false);
    // Tables built: G's serves s, t walks this key's own or a width-4 wNAF. Before (a one-shot
    // `roadscan verify TEXT`): one joint width-4 walk, no table paid for a single code.
    const sum = verifications >= BASE_WINDOW_AFTER ? Point.BASE.multiplyUnsafe(s).add(this.point.multiplyUnsafe(t)) : Point.BASE.mulAddUnsafe(s, this.point, t);
    if (sum.is0()) return false;
    return (e + sum.toAffine().x) % N === r;
  }
}

// noble makes G's default window (w = 6) lazily, at G's first multiply (a signature here may do
// that); ours (w = 8) replaces it at the third verification, before verification multiplies by G.

function scalarOf(privateKey: Uint8Array): bigint {
  const d = privateKey.length === 32 ? toBig(privateKey) : 0n;
  // d = n - 1 is excluded too: (1 + d) must be invertible (GB/T 32918.1, 6.1).
  if (d < 1n || d >= N - 1n) throw new RangeError('an SM2 private key is 32 bytes, in [1, n-2]');
  return d;
}

/** The 65-byte uncompressed public point of a 32-byte private key. */
export function sm2PublicKeyOf(privateKey: Uint8Array): Uint8Array {
  return Point.BASE.multiply(scalarOf(privateKey)).toBytes(false);
}

function invert(v: bigint): bigint {
  // n is prime: v^(n-2) mod n.
  let result = 1n;
  let base = v % N;
  let exp = N - 2n;
  while (exp > 0n) {
    if (exp & 1n) result = (result * base) % N;
    base = (base * base) % N;
    exp >>= 1n;
  }
  return result;
}

/** An SM2 signature `r || s` (64 bytes) of `message` with a fresh random nonce (GB/T 32918.2, 6.1). */
export function sm2Sign(privateKey: Uint8Array, message: Uint8Array): Uint8Array {
  const d = scalarOf(privateKey);
  const e = digestOf(sm2Z(sm2PublicKeyOf(privateKey)), message);
  const inv = invert(1n + d);
  for (;;) {
    const k = (toBig(randomBytes(32)) % (N - 1n)) + 1n;
    const r = (e + Point.BASE.multiply(k).toAffine().x) % N;
    if (r === 0n || r + k === N) continue;
    const s = (inv * (((k - r * d) % N) + N)) % N;
    if (s === 0n) continue;
    return Buffer.concat([be32(r), be32(s)]);
  }
}
