/**
 * What the test authority signs for the next publication (docs/STATUS-LIST.md "Signed
 * documents"): a trust list naming the root in force, signed by the root the scanners hold
 * (the one the last published list named), and by the new root too when a rotation happened
 * since; rules documents signed by the root in force; or, on request, one of the forgeries a
 * scanner must refuse. Root seeds come from their own files (root-store.ts), never from
 * `authority.json`.
 * @module
 */
import { currentRoot, loadRootGeneration, rootGenerations } from './root-store.js';
import type { RootKeySet } from './root-keys.js';
import { TRUST_FORGERIES, type DocumentForgery, type TrustForgery } from './document-forgeries.js';
import { decodeSignedDocument } from '../../firmware-ts/signed/signed-document.js';
import { signPublication } from './signed-publications.js';
import { expiresAfter } from './trust-list-json.js';
import type { TestAuthority } from './test-authority.js';
import { offCurveEntry } from './trust-list-json.js';

export { TRUST_FORGERIES, type TrustForgery };

export interface SignedRequest {
  /** Publish the authority's trust list with this version. */
  trustVersion?: number;
  trustForgery?: TrustForgery;
  /** Rules data JSON by name; each carries its own `version`. */
  rules?: Record<string, { version: number } & Record<string, unknown>>;
  rulesForgery?: DocumentForgery;
  /** The rules documents already published (name -> COSE bytes): re-signed with the new root on a rotation. */
  publishedRules?: Record<string, Uint8Array>;
  /** `expires` of the trust list and of rules data that carry none (spec 1.2; default 90 days from now). */
  expires?: string;
}

export interface SignedDocuments {
  trustDocument?: { version: number; bytes: Uint8Array };
  rules?: Record<string, { version: number; bytes: Uint8Array }>;
  /** The root generation the scanners will hold after this publication. */
  rootGen: number;
}

/**
 * Signs what `req` asks for. `publishedGen` is the root generation of the last published trust
 * list (the installed anchor's, generation 1, before any).
 */
export function signForPublication(authorityDir: string, authority: TestAuthority, publishedGen: number | undefined, req: SignedRequest): SignedDocuments {
  const current = currentRoot(authorityDir);
  if (!current) throw new Error(`${authorityDir}: no root keys (run \`roadscan sim init\` again, or \`roadscan sim rotate-root\`)`);
  const heldGen = publishedGen ?? rootGenerations(authorityDir)[0]!;
  const held = loadRootGeneration(authorityDir, heldGen);
  const retiredGen = rootGenerations(authorityDir)
    .filter((g) => g < heldGen)
    .at(-1);
  const retired: RootKeySet | undefined = retiredGen === undefined ? undefined : loadRootGeneration(authorityDir, retiredGen);
  const out: SignedDocuments = { rootGen: heldGen };
  if (req.trustVersion !== undefined) {
    const rotating = current.gen !== heldGen;
    const expires = req.expires !== undefined ? { expires: req.expires } : {};
    const list =
      req.trustForgery === 'unusable'
        ? authority.trustList(req.trustVersion, { root: current.root, issuers: ['mps', 'mot'], ...expires })
        : authority.trustList(req.trustVersion, { root: current.root, ...expires });
    if (req.trustForgery === 'off-curve-key') list.issuers[0] = offCurveEntry(list.issuers[0]!);
    const forgery = req.trustForgery === 'unusable' || req.trustForgery === 'off-curve-key' ? undefined : req.trustForgery;
    const parties = { root: held, sl: authority.keys.sl, ...(rotating ? { newRoot: current.root } : {}), ...(retired ? { retired } : {}) };
    out.trustDocument = { version: req.trustVersion, bytes: signPublication(JSON.stringify(list), parties, forgery) };
    // A refused list changes nothing on the scanners: they keep the root they held.
    if (!req.trustForgery) out.rootGen = current.gen;
  }
  // After a rotation the retired root can authorise nothing: the rules data in force are signed
  // again by the new root (same versions, so devices that hold them fetch nothing).
  const rules = { ...(req.rules ?? {}) };
  if (out.rootGen !== heldGen) {
    for (const [name, bytes] of Object.entries(req.publishedRules ?? {})) {
      if (!(name in rules)) rules[name] = decodeSignedDocument(bytes).json as { version: number } & Record<string, unknown>;
    }
  }
  if (Object.keys(rules).length > 0) {
    req = { ...req, rules };
    const rootNow = loadRootGeneration(authorityDir, out.rootGen);
    const retiredNow = rootGenerations(authorityDir)
      .filter((g) => g < out.rootGen)
      .at(-1);
    const parties = { root: rootNow, sl: authority.keys.sl, ...(retiredNow !== undefined ? { retired: loadRootGeneration(authorityDir, retiredNow) } : {}) };
    out.rules = {};
    for (const [name, json] of Object.entries(rules)) {
      const { version, ...rest } = json;
      const dated = 'expires' in json ? json : { version, expires: req.expires ?? expiresAfter(Date.now()), ...rest };
      out.rules[name] = { version: json.version, bytes: signPublication(JSON.stringify(dated), parties, req.rulesForgery) };
    }
  }
  return out;
}
