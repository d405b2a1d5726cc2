/**
 * Whether a signed rules document (docs/STATUS-LIST.md "Signed documents": `calendar-cn`,
 * `adoption`, `policy`) may replace the rules data held: authorised by the root in force, its
 * payload valid rules data of the name the manifest gives, its own `version` equal to the
 * manifest entry's, not below the version held, and (a new version) carrying an `expires` not
 * yet past at the check instant (signed/expiry.ts, the one expiry rule of every signed
 * document). Pure; every refusal is one line.
 * @module
 */
import { parseRulesData, RulesDataError, type RulesData, type RulesName } from '../rules/rules-data.js';
import { authorise, describeAuthorisation } from './authorise.js';
import type { Root } from '../verify/trust-root.js';
import type { SignedDocument } from './signed-document.js';
import { ExpiryError, readExpires, refuseUnlessCurrent, type Expiry } from './expiry.js';
import { SignedUpdateError } from './signed-update-error.js';

export interface AcceptedRules {
  status: 'accepted' | 'current';
  rules: RulesData;
  /** The payload JSON text exactly as signed. */
  json: string;
  signers: string[];
  /** The document's `expires`. */
  expires: Expiry | null;
}

export function acceptRulesUpdate(
  doc: SignedDocument,
  root: Root | null,
  entry: { name: RulesName; version: number },
  heldVersion: number | null,
  nowSec: number,
): AcceptedRules {
  if (!root) throw new SignedUpdateError(`rules ${entry.name}: the trust list held has no root, so no rules document can be authorised`);
  const a = authorise(doc, root);
  if (!a.authorised) throw new SignedUpdateError(`rules ${entry.name}: not authorised by the root in force: ${describeAuthorisation(a, 'the root in force')}`);
  let rules: RulesData;
  try {
    rules = parseRulesData(entry.name, doc.json);
  } catch (err) {
    if (err instanceof RulesDataError) throw new SignedUpdateError(`rules ${err.message}`);
    throw err;
  }
  if (rules.version !== entry.version) {
    throw new SignedUpdateError(`rules ${entry.name}: the document's version ${rules.version} is not the manifest's ${entry.version}`);
  }
  if (heldVersion !== null && rules.version < heldVersion) {
    throw new SignedUpdateError(`rules ${entry.name}: version ${rules.version} is below the held version ${heldVersion} (rollback refused)`);
  }
  let expires: Expiry | null;
  try {
    expires = readExpires(doc.json);
  } catch (err) {
    if (err instanceof ExpiryError) throw new SignedUpdateError(`rules ${entry.name}: ${err.message}`);
    throw err;
  }
  const status = heldVersion !== null && rules.version === heldVersion ? 'current' : 'accepted';
  if (status === 'accepted') refuseUnlessCurrent(`rules ${entry.name} version ${rules.version}`, expires, nowSec);
  return { status, rules, json: Buffer.from(doc.payload).toString('utf8'), signers: a.counted, expires };
}
