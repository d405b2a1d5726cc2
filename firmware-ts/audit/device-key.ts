/**
 * The device key: the key this device signs its audit checkpoints with, Ed25519 or SM2, made once
 * at provisioning (or by the service on a device that never was provisioned) and never replaced by
 * the software: a new key would be a new identity, and the collector that pinned the old one
 * refuses it. Its algorithm is the authority's choice (`deviceKeyAlgFor`): SM2 when the trust
 * list's anchor keys are all SM2, else Ed25519. A key made once keeps its algorithm whatever the
 * trust list says later: provisioning says so, and the chain goes on as it began.
 *
 * It lives beside the database (`device-key.pem`, PKCS#8, mode 0600, owned by whoever owns the
 * database's directory: the service user on a device, even when root provisions it) with its
 * public half (`device-key.pub.pem`, readable) for `roadscan status` and anyone who checks an
 * export. A private key readable by others is refused, not used.
 *
 * Written with an exclusive temporary file, fsync and an atomic rename: a power cut leaves no
 * key or a whole one, and two processes making it at once end with one key.
 * @module
 */
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, verify as verifyEd25519, type KeyObject } from 'node:crypto';
import { chownSync, closeSync, fsyncSync, linkSync, openSync, readFileSync, rmSync, statSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Sm2PublicKey } from '../crypto/sm2.js';
import type { Checkpoint, DeviceKeyAlg, SigningKey } from './audit-chain.js';
import { checkpointMessage } from './chain-codec.js';
import { derOfPem, newSm2KeyPair, pemOf, sm2OfPkcs8, sm2PointOfSpki, sm2Pkcs8, sm2Spki } from './sm2-key-der.js';

const MAX_KEY_BYTES = 16 * 1024;

export class DeviceKeyError extends Error {}

/** The device key: what the chain signs with, and its public half as it is shown. */
export interface DeviceKey {
  signing: SigningKey;
  /** Shown by `roadscan status --json` and sent to the collector. */
  info: DeviceKeyInfo;
}

export interface DeviceKeyInfo {
  alg: DeviceKeyAlg;
  /** The public key: base64 of its SPKI DER (for SM2: id-ecPublicKey on the SM2 curve, the point its last 65 bytes). */
  publicKey: string;
  /** The first 16 hex digits of the SHA-256 of the SPKI DER. */
  id: string;
}

export function deviceKeyFiles(dbFile: string): { privateFile: string; publicFile: string } {
  const dir = dirname(dbFile);
  return { privateFile: join(dir, 'device-key.pem'), publicFile: join(dir, 'device-key.pub.pem') };
}

/**
 * The device key's algorithm the authority's trust list asks for: SM2 when its anchor keys (the
 * root's, or without a root every key it lists) are all SM2; Ed25519 otherwise, a mixed list too.
 */
export function deviceKeyAlgFor(anchorKeyAlgs: readonly string[]): DeviceKeyAlg {
  return anchorKeyAlgs.length > 0 && anchorKeyAlgs.every((a) => a === 'SM2') ? 'SM2' : 'Ed25519';
}

/** The public half of an Ed25519 key, as shown. */
export function deviceKeyInfoOf(publicKey: KeyObject): DeviceKeyInfo {
  if (publicKey.asymmetricKeyType !== 'ed25519') throw new DeviceKeyError(`device key: ${publicKey.asymmetricKeyType ?? 'unknown'} key, expected Ed25519 or SM2`);
  return infoOfSpki('Ed25519', publicKey.export({ type: 'spki', format: 'der' }));
}

function infoOfSpki(alg: DeviceKeyAlg, der: Buffer): DeviceKeyInfo {
  return { alg, publicKey: der.toString('base64'), id: createHash('sha256').update(der).digest('hex').slice(0, 16) };
}

/** The public key of SPKI DER: SM2 (sm2-key-der.ts, never a KeyObject) or Ed25519. Throws DeviceKeyError. */
function publicOfSpki(der: Buffer): { info: DeviceKeyInfo; key: DevicePublicKey } {
  const point = sm2PointOfSpki(der);
  if (point) {
    const sm2 = Sm2PublicKey.fromBytes(point, { keep: false })!;
    return { info: infoOfSpki('SM2', der), key: { alg: 'SM2', verify: (message, sig) => sm2.verify(message, sig) } };
  }
  let key: KeyObject;
  try {
    key = createPublicKey({ key: der, format: 'der', type: 'spki' });
  } catch {
    throw new DeviceKeyError('device key: not a public key');
  }
  const info = deviceKeyInfoOf(key);
  return { info, key: { alg: 'Ed25519', verify: (message, sig) => verifyEd25519(null, message, key, sig) } };
}

/** Reads the device key beside `dbFile`; null when there is none. Throws DeviceKeyError with one line. */
export function readDeviceKey(dbFile: string): DeviceKey | null {
  const { privateFile } = deviceKeyFiles(dbFile);
  let pem: string;
  try {
    const st = statSync(privateFile);
    if ((st.mode & 0o077) !== 0) {
      throw new DeviceKeyError(`device key ${privateFile}: readable by others (mode ${(st.mode & 0o777).toString(8)}); make it 600, owned by the service user`);
    }
    if (st.size > MAX_KEY_BYTES) throw new DeviceKeyError(`device key ${privateFile}: larger than 16 KiB, not a key`);
    pem = readFileSync(privateFile, 'utf8');
  } catch (err) {
    if (err instanceof DeviceKeyError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return null;
    throw new DeviceKeyError(`device key ${privateFile}: cannot read (${code ?? 'error'}); it must belong to the service user`);
  }
  const der = derOfPem('PRIVATE KEY', pem);
  const sm2 = der ? sm2OfPkcs8(der) : null;
  if (sm2) {
    const info = infoOfSpki('SM2', sm2Spki(sm2.point));
    return { signing: { pem, id: info.id, alg: 'SM2', sm2: { d: sm2.d.toString('hex'), point: sm2.point.toString('hex') } }, info };
  }
  let key: KeyObject;
  try {
    key = createPrivateKey(pem);
  } catch {
    throw new DeviceKeyError(`device key ${privateFile}: not a PEM private key`);
  }
  if (key.asymmetricKeyType !== 'ed25519') throw new DeviceKeyError(`device key ${privateFile}: not an Ed25519 or SM2 key`);
  const info = deviceKeyInfoOf(createPublicKey(key));
  return { signing: { pem, id: info.id, alg: 'Ed25519' }, info };
}

/** The public half beside `dbFile`, readable without the private key's rights; null when none. */
export function readDeviceKeyInfo(dbFile: string): DeviceKeyInfo | null {
  const { publicFile } = deviceKeyFiles(dbFile);
  try {
    if (statSync(publicFile).size > MAX_KEY_BYTES) return null;
    const der = derOfPem('PUBLIC KEY', readFileSync(publicFile, 'utf8'));
    return der ? publicOfSpki(der).info : null;
  } catch {
    return null;
  }
}

/**
 * The device key beside `dbFile`, made now with `alg` when there is none. Returns it and whether
 * it was made. A key already there is kept as it is, whatever its algorithm.
 */
export function makeDeviceKey(dbFile: string, alg: DeviceKeyAlg = 'Ed25519'): { key: DeviceKey; made: boolean } {
  const existing = readDeviceKey(dbFile);
  if (existing) return { key: existing, made: false };
  const { privateFile, publicFile } = deviceKeyFiles(dbFile);
  const pem =
    alg === 'SM2' ? pemOf('PRIVATE KEY', sm2Pkcs8(newSm2KeyPair())) : generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const owner = statSync(dirname(privateFile));
  // Linked into place only if no key appeared meanwhile: the first maker's key is the key.
  writeNew(`${privateFile}.${process.pid}.new`, pem, 0o600, owner, (tmp) => {
    try {
      linkSync(tmp, privateFile);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
  });
  const key = readDeviceKey(dbFile);
  if (!key) throw new DeviceKeyError(`device key ${privateFile}: not there after making it`);
  const publicPem = pemOf('PUBLIC KEY', Buffer.from(key.info.publicKey, 'base64'));
  writeNew(`${publicFile}.${process.pid}.new`, publicPem, 0o644, owner, (tmp) => {
    rmSync(publicFile, { force: true });
    linkSync(tmp, publicFile);
  });
  return { key, made: true };
}

/** Writes a new file durably, hands it to `place`, then removes the temporary name. */
function writeNew(tmp: string, text: string, mode: number, owner: { uid: number; gid: number }, place: (tmp: string) => void): void {
  rmSync(tmp, { force: true });
  const fd = openSync(tmp, 'wx', mode);
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  try {
    if (process.getuid?.() === 0) chownSync(tmp, owner.uid, owner.gid);
    place(tmp);
  } finally {
    rmSync(tmp, { force: true });
  }
  const dir = openSync(dirname(tmp), 'r');
  try {
    fsyncSync(dir);
  } finally {
    closeSync(dir);
  }
}

/** A device's public key as a verifier holds it: its algorithm and its signature check. */
export interface DevicePublicKey {
  alg: DeviceKeyAlg;
  /** Whether `sig` is this key's signature of `message` (SM2: r || s, SM3 with the default user ID). */
  verify(message: Buffer, sig: Buffer): boolean;
}

/** SPKI DER of a raw Ed25519 key (its 32 bytes follow). */
const ED25519_SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

/**
 * A public key given to `audit verify` or to the collector: a PEM (`device-key.pub.pem`), the
 * base64 SPKI `roadscan status --json` shows, or the raw key as a trust list writes one (base64 or
 * base64url of Ed25519's 32 bytes or SM2's 65-byte uncompressed point, or that point in 130 hex
 * digits). An SM2 point off the curve, or anything else, is refused with one line.
 */
export function parsePublicKey(text: string): DevicePublicKey {
  const t = text.trim();
  const refused = new DeviceKeyError('device key: not a public key (expected a PEM, the base64 "publicKey" of roadscan status --json, or a raw Ed25519 or SM2 key)');
  let der: Buffer | null;
  if (t.startsWith('-----BEGIN')) der = derOfPem('PUBLIC KEY', t);
  else {
    const bytes = /^[0-9a-fA-F]{130}$/.test(t) ? Buffer.from(t, 'hex') : /^[A-Za-z0-9+/_-]+={0,2}$/.test(t) ? Buffer.from(t, 'base64') : Buffer.alloc(0);
    der = bytes.length === 32 ? Buffer.concat([ED25519_SPKI_PREFIX, bytes]) : bytes.length === 65 && bytes[0] === 0x04 ? sm2Spki(bytes) : bytes;
  }
  if (!der || der.length === 0) throw refused;
  try {
    return publicOfSpki(der).key;
  } catch {
    throw refused;
  }
}

/**
 * Whether `c` is signed by `key`: the algorithm it says (Ed25519 when it says none: checkpoints
 * signed before it was said) must be the key's, and the signature its. Never throws.
 */
export function isSignedBy(key: DevicePublicKey, c: Checkpoint): boolean {
  if (typeof c.sig !== 'string' || (c.keyAlg ?? 'Ed25519') !== key.alg) return false;
  try {
    return key.verify(checkpointMessage(c), Buffer.from(c.sig, 'base64'));
  } catch {
    return false;
  }
}
