/**
 * SM2 signatures with SM3 (GB/T 32918.2-2016, GB/T 32905-2016), as docs/CREDENTIALS.md section 2
 * uses them: `e = SM3(Z || M)` with the default user ID `1234567812345678` (GM/T 0009-2012), the
 * signature `r || s`, 32 bytes each. Two engines, chosen by measurement (`npm run bench SM2`):
 * OpenSSL's SM2 verification through node:crypto (sm2-openssl.ts), taken once it has passed a
 * known answer in this process, and the audited short-Weierstrass arithmetic of @noble/curves on
 * the SM2 curve, which serves when OpenSSL lacks SM2 and is the reference the tests hold OpenSSL to.
 *
 * A key is checked (65 bytes, 0x04, on the curve, not the identity) and its Z computed once, when
 * it is made: so when the trust list is read, never at each scan. A signature that cannot be one
 * (not 64 bytes, r or s outside [1, n-1], r + s = n) is refused before any curve arithmetic;
 * `curveWork()` counts the signatures that reached it, so a test can hold that.
 *
 * Also the small face other modules sign with (a device key): `sm2Sign` and `sm2PublicKeyOf`.
 * @module
 */
import { createHash, type KeyObject, randomBytes } from 'node:crypto';
import { weierstrass, type WeierstrassOpts, type WeierstrassPoint } from '@noble/curves/abstract/weierstrass.js';
import { opensslSm2Key, opensslSm2Verify } from './sm2-openssl.js';

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
/** Window of the @noble/curves engine's precomputed tables (of G, and of a trust-list key). */
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

/** The arithmetic that checks an SM2 signature: OpenSSL's (node:crypto) or @noble/curves'. */
export type Sm2Engine = 'openssl' | 'noble';

/** An SM2 public key: the 65-byte uncompressed point, checked, with its Z computed once. */
export class Sm2PublicKey {
  private uses = 0;
  /** OpenSSL's key, made at the first verification that reaches the curve (null: OpenSSL refused it). */
  private openssl: KeyObject | null | undefined;

  private constructor(
    readonly bytes: Uint8Array,
    private readonly point: WeierstrassPoint<bigint>,
    readonly z: Buffer,
    private readonly windowed: boolean,
  ) {}

  /**
   * The key of `bytes`, or null when they are not a valid SM2 public key (not 65 bytes starting
   * 0x04, a coordinate outside the field, off the curve, or the identity). `keep`: a key that
   * signs many codes (a trust-list key) keeps what it builds (OpenSSL's key object, or the noble
   * engine's precomputed window); a holder key is made afresh at each scan.
   */
  static fromBytes(bytes: Uint8Array, opts: { keep: boolean }): Sm2PublicKey | null {
    const point = parsePoint(bytes);
    if (!point) return null;
    const own = Uint8Array.from(bytes);
    return new Sm2PublicKey(own, point, sm2Z(own), opts.keep);
  }

  /**
   * Whether `signature` (r || s, 64 bytes) is this key's SM2 signature of `message`. `engine`:
   * the process's own (`sm2Engine()`) unless a test names one.
   */
  verify(message: Uint8Array, signature: Uint8Array, engine: Sm2Engine = sm2Engine()): boolean {
    if (signature.length !== 64) return false;
    const r = toBig(signature.subarray(0, 32));
    const s = toBig(signature.subarray(32));
    // Not a signature at all: refused before any curve arithmetic.
    if (r < 1n || r >= N || s < 1n || s >= N) return false;
    const t = (r + s) % N;
    if (t === 0n) return false;
    curveWorkCount++;
    if (engine === 'openssl') {
      if (this.openssl === undefined) this.openssl = opensslSm2Key(this.bytes);
      // A throw would be OpenSSL's fault, not the input's (the input is range-checked): the noble engine answers then.
      if (this.openssl) {
        try {
          return opensslSm2Verify(this.openssl, this.z, message, signature);
        } catch {}
      }
    }
    return this.verifyNoble(digestOf(this.z, message), r, s, t);
  }

  /** `(e + x1) mod n = r` with `(x1, y1) = s·G + t·P` in @noble/curves' arithmetic. */
  private verifyNoble(e: bigint, r: bigint, s: bigint, t: bigint): boolean {
    // Lazily (isLazy = true): the table is built by the next multiplyUnsafe, for 256-bit public
    // scalars only. precompute(w, false) would first build the blinded table of the constant-time
    // `multiply` (256 + 128 bits, half as big again), which verification never reads.
    if (++verifications === BASE_WINDOW_AFTER) Point.BASE.precompute(SM2_WINDOW, true);
    if (this.windowed && ++this.uses === WINDOW_AFTER_USES) this.point.precompute(SM2_WINDOW, true);
    // Tables built: G's serves s, t walks this key's own or a width-4 wNAF. Before (a one-shot
    // `roadscan verify TEXT`): one joint width-4 walk, no table paid for a single code.
    const sum = verifications >= BASE_WINDOW_AFTER ? Point.BASE.multiplyUnsafe(s).add(this.point.multiplyUnsafe(t)) : Point.BASE.mulAddUnsafe(s, this.point, t);
    if (sum.is0()) return false;
    return (e + sum.toAffine().x) % N === r;
  }
}

/** A known answer (made with sm-crypto-v2): OpenSSL must take it, and refuse it one bit off. */
const KNOWN = {
  key: '0433ee32ea89850e4bfbdd84e6f109193c4e967a1e195a9fa876be5c46ddea520eada3ee4d350cfaf95c3e7da590e8886068e1abd13b2bdb66ec900d4b77864a73',
  message: 'roadscan: SM2 with SM3 known answer',
  signature: '336cd09534f92ed4f61480d750925bc650d06844d4018bb44d40319a2e9386a233816c11a4085e49447cc9c325182f105b015be2dc0b9e12a6c50902ed318695',
};

let engine: Sm2Engine | undefined;

/**
 * This process's engine: OpenSSL when its SM2 verification gives the known answer (a Node whose
 * OpenSSL lacks SM2, or types the key EC, fails it), else @noble/curves. Probed once, at the first
 * SM2 verification (about a millisecond), so start-up never pays it.
 */
export function sm2Engine(): Sm2Engine {
  if (engine === undefined) engine = probeOpenssl() ? 'openssl' : 'noble';
  return engine;
}

function probeOpenssl(): boolean {
  try {
    const point = Buffer.from(KNOWN.key, 'hex');
    const key = opensslSm2Key(point);
    if (!key) return false;
    const z = sm2Z(point);
    const message = Buffer.from(KNOWN.message, 'ascii');
    const signature = Buffer.from(KNOWN.signature, 'hex');
    const offByOne = Buffer.from(signature);
    offByOne[63]! ^= 1;
    return opensslSm2Verify(key, z, message, signature) && !opensslSm2Verify(key, z, message, offByOne);
  } catch {
    return false;
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
