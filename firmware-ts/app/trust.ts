/**
 * The one trust rule every command and the service use (docs/CREDENTIALS.md section 5,
 * docs/STATUS-LIST.md step 6): the configured trust list (`--trust`, else `trustFile`) unless
 * a list received by sync has a higher version; the received one alone when none is configured.
 * So `verify`, `decode-image`, `run`, `sync` and `status` never disagree about which issuers
 * count.
 * @module
 */
import { resolve } from 'node:path';
import { configuredOrSynced } from '../core/configured-or-synced.js';
import { SignedStore } from '../signed-store/index.js';
import { migrateStatusList } from '../status/list/index.js';
import { parseTrustList, TrustListError, type TrustList } from '../verify/trust-list.js';
import { readJsonFile, type Runtime } from './runtime.js';
import { SetupError } from './setup-error.js';

/** Where the trust list in force came from. */
export type TrustSource = 'configured' | 'synced';

export interface TrustInForce {
  trust: TrustList;
  source: TrustSource;
}

/** The configured trust file, or null when none is configured. */
export function configuredTrustFile(rt: Runtime): string | null {
  if (rt.options.trust) return resolve(rt.options.trust);
  return rt.config.trustFile ? rt.loaded.resolvePath(rt.config.trustFile) : null;
}

function parseOrExplain(json: unknown, what: string): TrustList {
  try {
    return parseTrustList(json);
  } catch (err) {
    if (err instanceof TrustListError) throw new SetupError(`${what}: ${err.message}`);
    throw err;
  }
}

/**
 * The trust list in force, from the configured file and the synced JSON (`null`: none synced).
 * Throws `SetupError` when the configured file cannot be used, or when there is no list at all.
 */
export function trustInForce(rt: Runtime, synced: unknown | null): TrustInForce {
  const file = configuredTrustFile(rt);
  const configured = file ? parseOrExplain(readJsonFile(file, 'trust list'), file) : null;
  let received: TrustList | null = null;
  if (synced !== null && synced !== undefined) {
    try {
      received = parseTrustList(synced);
    } catch {
      // A stored list that no longer parses cannot outrank the configured one.
      received = null;
    }
  }
  const chosen = configuredOrSynced(configured, received);
  if (chosen) return { trust: chosen.doc, source: chosen.source };
  throw new SetupError('no trust list: give --trust FILE or set trustFile in the configuration (the first trust anchor is installed by hand, see README "Provisioning")');
}

/** The trust list sync accepted, as kept in this runtime's database (signed-store/), or null. */
export function syncedTrust(rt: Runtime): unknown | null {
  migrateStatusList(rt.db);
  return new SignedStore(rt.db).trustJson();
}

/** `trustInForce(...).trust`. */
export function chooseTrust(rt: Runtime, synced: unknown | null): TrustList {
  return trustInForce(rt, synced).trust;
}
