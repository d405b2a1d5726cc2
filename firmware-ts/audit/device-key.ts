/**
 * The device key: the Ed25519 key this device signs its audit checkpoints with, made once at
 * provisioning (or by the service on a device that never was provisioned) and never replaced by
 * the software: a new key would be a new identity, and the collector that pinned the old one
 * refuses it.
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
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { chownSync, closeSync, fsyncSync, linkSync, openSync, readFileSync, rmSync, statSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { SigningKey } from './audit-chain.js';

const MAX_KEY_BYTES = 16 * 1024;

export class DeviceKeyError extends Error {}

/** The device key: what the chain signs with, and its public half as it is shown. */
export interface DeviceKey {
  signing: SigningKey;
  /** Shown by `roadscan status --json` and sent to the collector. */
  info: DeviceKeyInfo;
}

export interface DeviceKeyInfo {
  alg: 'Ed25519';
  /** The public key: base64 of its SPKI DER. */
  publicKey: string;
  /** The first 16 hex digits of the SHA-256 of the SPKI DER. */
  id: string;
}

export function deviceKeyFiles(dbFile: string): { privateFile: string; publicFile: string } {
  const dir = dirname(dbFile);
  return { privateFile: join(dir, 'device-key.pem'), publicFile: join(dir, 'device-key.pub.pem') };
}

/** The public half of a key, as shown. */
export function deviceKeyInfoOf(publicKey: KeyObject): DeviceKeyInfo {
  if (publicKey.asymmetricKeyType !== 'ed25519') throw new DeviceKeyError(`device key: ${publicKey.asymmetricKeyType ?? 'unknown'} key, expected Ed25519`);
  const der = publicKey.export({ type: 'spki', format: 'der' });
  return { alg: 'Ed25519', publicKey: der.toString('base64'), id: createHash('sha256').update(der).digest('hex').slice(0, 16) };
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
  let key: KeyObject;
  try {
    key = createPrivateKey(pem);
  } catch {
    throw new DeviceKeyError(`device key ${privateFile}: not a PEM private key`);
  }
  const info = deviceKeyInfoOf(createPublicKey(key));
  return { signing: { pem, id: info.id, alg: 'Ed25519' }, info };
}

/** The public half beside `dbFile`, readable without the private key's rights; null when none. */
export function readDeviceKeyInfo(dbFile: string): DeviceKeyInfo | null {
  const { publicFile } = deviceKeyFiles(dbFile);
  try {
    if (statSync(publicFile).size > MAX_KEY_BYTES) return null;
    return deviceKeyInfoOf(createPublicKey(readFileSync(publicFile, 'utf8')));
  } catch {
    return null;
  }
}

/**
 * The device key beside `dbFile`, made now when there is none. Returns it and whether it was
 * made. A key already there is kept as it is.
 */
export function makeDeviceKey(dbFile: string): { key: DeviceKey; made: boolean } {
  const existing = readDeviceKey(dbFile);
  if (existing) return { key: existing, made: false };
  const { privateFile, publicFile } = deviceKeyFiles(dbFile);
  const { privateKey } = generateKeyPairSync('ed25519');
  const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
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
  const publicPem = createPublicKey(key.signing.pem).export({ type: 'spki', format: 'pem' }).toString();
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

/** A public key given to `audit verify`: a PEM, or the base64 SPKI `roadscan status --json` shows. */
export function parsePublicKey(text: string): KeyObject {
  const t = text.trim();
  try {
    const key = t.startsWith('-----BEGIN') ? createPublicKey(t) : createPublicKey({ key: Buffer.from(t, 'base64'), format: 'der', type: 'spki' });
    deviceKeyInfoOf(key);
    return key;
  } catch (err) {
    if (err instanceof DeviceKeyError) throw err;
    throw new DeviceKeyError('device key: not a public key (expected a PEM or the base64 "publicKey" of roadscan status --json)');
  }
}
