/**
 * The signed part of a sync (docs/STATUS-LIST.md, "What the scanner does on sync" step 6 and
 * "Signed documents"): the manifest's trust list, the earlier trust lists it keeps for scanners
 * that missed rotations (`trustChain`), and its rules documents. Each file is fetched bounded,
 * checked against the SHA-256 the SL-signed manifest gives, decoded strictly and authorised by
 * the root in force; the chain is walked one version at a time, so each rotation is authorised
 * by the root it retires and by its own new root. Any refusal throws a SyncError, and the caller
 * then changes nothing at all: this module only reads and decides.
 *
 * Rules documents are authorised by the root in force once the trust step is done: after a
 * rotation in the same sync, by the new root (the old one is retired).
 *
 * Spec 1.2: whatever this sync would make the scanner hold must carry `expires` and not be past
 * it at the check instant (signed/expiry.ts); links of the catch-up chain that a later version
 * replaces in the same sync are not judged on it. An entry at the version already held is
 * neither fetched nor checked, so a held document past its `expires` never blocks a sync.
 * @module
 */
import { createHash } from 'node:crypto';
import { isRulesName, type RulesData, type RulesName } from '../../rules/rules-data.js';
import { acceptRulesUpdate, type AcceptedRules } from '../../signed/rules-update.js';
import { decodeSignedDocument, MAX_SIGNED_DOCUMENT_BYTES, SignedDocumentError, type SignedDocument } from '../../signed/signed-document.js';
import { refuseUnlessCurrent } from '../../signed/expiry.js';
import { acceptTrustUpdate, SignedUpdateError, type AcceptedTrustList } from '../../signed/trust-update.js';
import type { TrustList } from '../../verify/trust-list.js';
import type { FileRef } from './manifest.js';
import { oneLine } from '../../core/text-safety.js';
import { SyncError } from './sync-error.js';

export interface VersionedRef extends FileRef {
  version: number;
}
export interface RulesRef extends VersionedRef {
  name: string;
}

export interface SignedRefs {
  trust: FileRef | null;
  trustChain: readonly VersionedRef[];
  rules: readonly RulesRef[];
}

export interface HeldSigned {
  /** The trust list in force (configured or synced, the higher version). */
  trust: TrustList;
  /** SHA-256 of the signed trust document last accepted by sync: the same file is not fetched again. */
  trustSha256: Buffer | null;
  /** Version of the rules data in force, by name (null: none held). */
  rules: Readonly<Partial<Record<RulesName, number | null>>>;
  /** The check instant (seconds, under the clock floor) against which `expires` is judged. */
  nowSec: number;
}

export interface AcceptedSignedTrust {
  list: TrustList;
  /** The payload JSON text as signed. */
  json: string;
  /** SHA-256 of the signed document (the manifest's). */
  sha256: Buffer;
  /** Versions applied on the way, oldest first (the chain, then the manifest's list). */
  steps: number[];
  rotations: number;
}

export interface AcceptedSignedRules {
  name: RulesName;
  version: number;
  json: string;
  sha256: Buffer;
  rules: RulesData;
}

export interface SignedUpdates {
  trust: AcceptedSignedTrust | null;
  rules: AcceptedSignedRules[];
  /** One line per thing skipped as nothing new, for the log. */
  notes: string[];
}

const MAX_CHAIN = 64;

type Fetch = (path: string, maxBytes: number) => Promise<Buffer>;

async function fetchDocument(fetch: Fetch, ref: FileRef): Promise<{ doc: SignedDocument; sha256: Buffer }> {
  const bytes = await fetch(ref.path, MAX_SIGNED_DOCUMENT_BYTES);
  const sha256 = createHash('sha256').update(bytes).digest();
  if (!sha256.equals(ref.sha256)) throw new SyncError(`${oneLine(ref.path, 80)}: SHA-256 differs from the manifest`);
  try {
    return { doc: decodeSignedDocument(bytes), sha256 };
  } catch (err) {
    if (err instanceof SignedDocumentError) throw new SyncError(`${oneLine(ref.path, 80)}: ${oneLine(err.message, 300)}`);
    throw err;
  }
}

function refused(path: string, err: unknown): never {
  if (err instanceof SignedUpdateError) throw new SyncError(`${oneLine(path, 80)}: ${oneLine(err.message, 300)}`);
  throw err;
}

async function trustStep(fetch: Fetch, refs: SignedRefs, held: HeldSigned, notes: string[]): Promise<AcceptedSignedTrust | null> {
  const ref = refs.trust;
  if (!ref) return null;
  if (held.trustSha256?.equals(ref.sha256)) return null;
  if (refs.trustChain.length > MAX_CHAIN) throw new SyncError(`manifest: more than ${MAX_CHAIN} trustChain entries`);
  let current = held.trust;
  let json = '';
  let rotations = 0;
  const steps: number[] = [];
  const chain = [...refs.trustChain].filter((c) => c.version > current.version).sort((a, b) => a.version - b.version);
  for (const link of chain) {
    const { doc } = await fetchDocument(fetch, link);
    let r: AcceptedTrustList;
    try {
      r = acceptTrustUpdate(doc, current, null);
    } catch (err) {
      refused(link.path, err);
    }
    if (r.list.version !== link.version) throw new SyncError(`${oneLine(link.path, 80)}: trust list version ${r.list.version} is not the manifest's ${link.version}`);
    if (r.status === 'accepted') {
      current = r.list;
      json = r.json;
      steps.push(r.list.version);
      if (r.rotation) rotations++;
    }
  }
  const { doc, sha256 } = await fetchDocument(fetch, ref);
  let r: AcceptedTrustList;
  try {
    r = acceptTrustUpdate(doc, current, null);
  } catch (err) {
    refused(ref.path, err);
  }
  if (r.status === 'current' && steps.length === 0) {
    notes.push(`trust list version ${r.list.version} is the one held`);
    return null;
  }
  if (r.status === 'accepted') {
    current = r.list;
    json = r.json;
    steps.push(r.list.version);
    if (r.rotation) rotations++;
  }
  // The list this sync would hold, whether the chain or the manifest's own file brought it.
  try {
    refuseUnlessCurrent(`trust list version ${current.version}`, current.expires, held.nowSec);
  } catch (err) {
    refused(ref.path, err);
  }
  return { list: current, json, sha256, steps, rotations };
}

/** Fetches, checks and authorises every signed file the manifest names; throws SyncError on any refusal. */
export async function checkSignedUpdates(fetch: Fetch, refs: SignedRefs, held: HeldSigned): Promise<SignedUpdates> {
  const notes: string[] = [];
  const trust = await trustStep(fetch, refs, held, notes);
  const root = (trust?.list ?? held.trust).root;
  const rules: AcceptedSignedRules[] = [];
  const seen = new Set<string>();
  for (const ref of refs.rules) {
    if (seen.has(ref.name)) throw new SyncError(`manifest: rules ${oneLine(ref.name, 40)} listed twice`);
    seen.add(ref.name);
    if (!isRulesName(ref.name)) {
      notes.push(`rules ${oneLine(ref.name, 40)}: not a name this scanner uses, ignored`);
      continue;
    }
    const heldVersion = held.rules[ref.name] ?? null;
    if (heldVersion !== null && ref.version === heldVersion) continue;
    if (heldVersion !== null && ref.version < heldVersion) {
      throw new SyncError(`rules ${ref.name}: version ${ref.version} is below the held version ${heldVersion} (rollback refused)`);
    }
    const { doc, sha256 } = await fetchDocument(fetch, ref);
    let r: AcceptedRules;
    try {
      r = acceptRulesUpdate(doc, root, { name: ref.name, version: ref.version }, heldVersion, held.nowSec);
    } catch (err) {
      refused(ref.path, err);
    }
    rules.push({ name: ref.name, version: r.rules.version, json: r.json, sha256, rules: r.rules });
  }
  return { trust, rules, notes };
}
