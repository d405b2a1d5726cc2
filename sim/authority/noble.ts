/**
 * @noble/ed25519 set up for synchronous signing with node's SHA-512: the test authority and
 * the simulated phone sign as an issuer's or an app's independent code would.
 * @module
 */
import { createHash } from 'node:crypto';
import * as ed from '@noble/ed25519';

ed.hashes.sha512 = (m: Uint8Array) => new Uint8Array(createHash('sha512').update(m).digest());

export { ed };
