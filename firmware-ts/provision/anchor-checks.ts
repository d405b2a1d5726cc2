/**
 * The checks made before provisioning changes anything: the trust anchor can serve
 * (docs/CREDENTIALS.md section 5; spec 1.2: a rooted one within its `expires`), the status-list
 * URL is one to keep, and the anchor may replace the trust list in force. Each says one line.
 * @module
 */
import { readFileSync, statSync } from 'node:fs';
import { oneLine } from '../core/text-safety.js';
import { refuseUnlessCurrent } from '../signed/expiry.js';
import { SignedUpdateError } from '../signed/signed-update-error.js';
import { parseTrustList, TrustListError, type TrustList } from '../verify/trust-list.js';
import { ProvisionError } from './provision-error.js';

/** A trust list is a few kB per issuer; more than this is not an anchor. */
const MAX_ANCHOR_BYTES = 4 << 20;

/** Reads and checks a trust anchor; a `ProvisionError` with one line when it cannot serve. */
export function checkAnchor(file: string, nowSec: number = Math.floor(Date.now() / 1000)): { bytes: Buffer; trust: TrustList } {
  let bytes: Buffer;
  try {
    if (statSync(file).size > MAX_ANCHOR_BYTES) throw new ProvisionError(`trust anchor ${file}: larger than 4 MiB, not a trust list`);
    bytes = readFileSync(file);
  } catch (err) {
    if (err instanceof ProvisionError) throw err;
    throw new ProvisionError(`trust anchor ${file}: cannot read (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  let json: unknown;
  try {
    json = JSON.parse(bytes.toString('utf8'));
  } catch (err) {
    throw new ProvisionError(`trust anchor ${file}: not valid JSON (${oneLine((err as Error).message, 120)})`);
  }
  let trust: TrustList;
  try {
    trust = parseTrustList(json);
  } catch (err) {
    if (err instanceof TrustListError) throw new ProvisionError(`trust anchor ${file}: ${err.message}`);
    throw err;
  }
  // Spec 1.2: an anchor with a root is a signed document's payload; installed without expires, or
  // past it, it could only ever serve stale (a version-1 list, without root, is configuration).
  if (trust.root) {
    try {
      refuseUnlessCurrent(`version ${trust.version}`, trust.expires, nowSec);
    } catch (err) {
      if (err instanceof SignedUpdateError) throw new ProvisionError(`trust anchor ${file}: ${err.message}`);
      throw err;
    }
  }
  return { bytes, trust };
}

export function describeAnchor(t: TrustList): string {
  const root = t.root ? `, root ${t.root.threshold} of ${t.root.keys.length}` : ', no root (a later list can only come by configuration)';
  return `version ${t.version}, ${t.keys.length} issuer keys${root}`;
}

export function checkUrl(url: string): void {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new ProvisionError(`--status-url: not a URL: ${JSON.stringify(oneLine(url, 200))}`);
  }
  if (u.protocol !== 'https:' && u.protocol !== 'http:') throw new ProvisionError(`--status-url: expected an http:// or https:// URL, got ${u.protocol}//`);
  // Never echoed: the line would carry the secret.
  if (u.username || u.password) {
    throw new ProvisionError('--status-url: a URL carrying a user name or password is refused (it would be shown, logged and stored in clear); nothing was changed');
  }
}

/** Why an anchor may not replace the trust list in force without `--replace-trust`, or null. */
export function anchorConflict(anchor: TrustList, inForce: TrustList): string | null {
  if (anchor.version < inForce.version) return `older than the trust list in force (version ${anchor.version} < ${inForce.version})`;
  const shared = (a: readonly { kidHex: string }[], b: readonly { kidHex: string }[]) => a.some((k) => b.some((x) => x.kidHex === k.kidHex));
  const related = anchor.root && inForce.root ? shared(anchor.root.keys, inForce.root.keys) : shared(anchor.keys, inForce.keys);
  if (!related) return `unrelated to the trust list in force (version ${inForce.version}): no ${anchor.root && inForce.root ? 'root' : 'issuer'} key in common`;
  return null;
}
