/**
 * The least work a live code needs, as a yardstick for `roadscan verify`: read the lines, then
 * per line Base45, inflate, CBOR (outer, payload, inner, claims) and the two Ed25519
 * verifications (issuer, holder), printing one short line. No policy, no status, no JSON.
 * Usage: node dist/scripts/bench/least-work-loop.js CODES_FILE TRUST_FILE
 * @module
 */
import { createPublicKey, verify, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { inflateSync } from 'node:zlib';
import { Decoder, Tag } from 'cbor-x';
import { base45Decode } from '../../firmware-ts/codec/base45.js';
import { sigStructure } from '../../firmware-ts/codec/cose.js';

const [codesFile, trustFile] = process.argv.slice(2);
const decoder = new Decoder({ mapsAsObjects: false, useRecords: false } as never);
const spki = (raw: Uint8Array) => createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: Buffer.from(raw).toString('base64url') }, format: 'jwk' });
const issuers = new Map<string, KeyObject>();
for (const e of JSON.parse(readFileSync(trustFile!, 'utf8')).issuers) issuers.set(Buffer.from(e.kid, 'base64url').toString('hex'), spki(Buffer.from(e.key, 'base64url')));

const untag = (x: unknown) => (x instanceof Tag ? x.value : x) as [Uint8Array, Map<number, unknown>, Uint8Array, Uint8Array];
let ok = 0;
let out = '';
for (const line of readFileSync(codesFile!, 'utf8').split('\n')) {
  if (!line) continue;
  const outer = untag(decoder.decode(inflateSync(base45Decode(line.slice(4)))));
  const payload = decoder.decode(outer[2]) as Map<string, unknown>;
  const inner = untag(decoder.decode(payload.get('vp') as Uint8Array));
  const claims = decoder.decode(inner[2]) as Map<number, unknown>;
  const kid = (decoder.decode(inner[0]) as Map<number, Uint8Array>).get(4)!;
  const holder = (claims.get(8) as Map<number, Map<number, Uint8Array>>).get(1)!.get(-2)!;
  const a = verify(null, sigStructure(inner[0], inner[2]), issuers.get(Buffer.from(kid).toString('hex'))!, inner[3]);
  const b = verify(null, sigStructure(outer[0], outer[2]), spki(holder), outer[3]);
  if (a && b) ok++;
  out += a && b ? 'ok\n' : 'bad\n';
}
process.stdout.write(out);
process.stderr.write(`${ok}\n`);
