/**
 * Encodes and signs a status-list manifest (docs/STATUS-LIST.md) with the authority's SL key, and
 * forges the ones a scanner must refuse: a damaged signature, a key it does not know, and a key
 * it knows but that may not sign lists.
 * @module
 */
import { encodeCbor } from '../../firmware-ts/codec/cbor.js';
import { signCoseSign1 } from '../authority/cose-sign.js';
import { generateKey, type SimKey } from '../authority/keys.js';
import type { Forgery } from './forgeries.js';

export interface ManifestFileRef {
  path: string;
  sha256: Uint8Array;
}

export interface ManifestBody {
  seq: number;
  iat: number;
  snap: ManifestFileRef & { seq: number; count: number };
  deltas: (ManifestFileRef & { from: number; to: number; count: number })[];
  trust?: ManifestFileRef | null;
  /** Signed rules documents (docs/STATUS-LIST.md "Signed documents"). */
  rules?: (ManifestFileRef & { name: string; version: number })[];
  /** Earlier trust documents the publisher keeps, oldest first, so a scanner that missed rotations catches up. */
  trustChain?: (ManifestFileRef & { version: number })[];
}

export { FORGERIES, type Forgery } from './forgeries.js';

/** An unsigned integer as CBOR wants it: above 32 bits the encoder needs a bigint (else a float). */
function uint(n: number): number | bigint {
  return n > 0xffff_ffff ? BigInt(n) : n;
}

function fileMap(ref: ManifestFileRef, extra: [string, number][]): Map<string, unknown> {
  return new Map<string, unknown>([...extra.map(([k, v]): [string, unknown] => [k, uint(v)]), ['path', ref.path], ['sha256', Uint8Array.from(ref.sha256)]]);
}

/** The CBOR payload of a manifest. */
export function encodeManifestBody(body: ManifestBody): Uint8Array {
  const m = new Map<string, unknown>([
    ['v', 1],
    ['seq', uint(body.seq)],
    ['iat', uint(body.iat)],
    [
      'snap',
      fileMap(body.snap, [
        ['seq', body.snap.seq],
        ['count', body.snap.count],
      ]),
    ],
    [
      'deltas',
      body.deltas.map((d) =>
        fileMap(d, [
          ['from', d.from],
          ['to', d.to],
          ['count', d.count],
        ]),
      ),
    ],
  ]);
  if (body.trust) m.set('trust', fileMap(body.trust, []));
  if (body.trustChain && body.trustChain.length > 0)
    m.set(
      'trustChain',
      body.trustChain.map((t) => fileMap(t, [['version', t.version]])),
    );
  if (body.rules && body.rules.length > 0) {
    m.set(
      'rules',
      body.rules.map(
        (r) =>
          new Map<string, unknown>([
            ['name', r.name],
            ['version', uint(r.version)],
            ['path', r.path],
            ['sha256', Uint8Array.from(r.sha256)],
          ]),
      ),
    );
  }
  return encodeCbor(m);
}

/** `manifest.cose` bytes signed by `key` (the SL key). */
export function signManifest(body: ManifestBody, key: SimKey): Uint8Array {
  return signCoseSign1({ payload: encodeManifestBody(body), key });
}

/**
 * A manifest the scanner must refuse. `otherKey` is a key the trust list holds without the SL
 * type (an issuer key) for `not-sl-key`.
 */
export function forgeManifest(body: ManifestBody, slKey: SimKey, forgery: Forgery, otherKey?: SimKey): Uint8Array {
  switch (forgery) {
    case 'bad-signature': {
      const cose = signManifest(body, slKey);
      const out = Uint8Array.from(cose);
      out[out.length - 1]! ^= 0x01; // the signature is the last item
      return out;
    }
    case 'unknown-key':
      return signManifest(body, generateKey(slKey.alg));
    case 'not-sl-key':
      if (!otherKey) throw new Error('not-sl-key needs a key the trust list holds for another type');
      return signManifest(body, otherKey);
  }
}
