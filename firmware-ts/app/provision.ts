/**
 * Provisioning (provision/, docs/DESIGN.md "Provisioning") wired to the device's runtime: the
 * trust in force, forgetting what sync brought under a replaced trust, the first sync and the
 * device key, each over the runtime the configuration names. A `ProvisionError` (a bad anchor,
 * URL or configuration; nothing changed) reaches the command line as a `SetupError`.
 * @module
 */
import {
  checkAnchorAndUrl as checkAnchorAndUrlStep,
  checkService as checkServiceStep,
  provision as provisionSteps,
  ProvisionError,
  type ProvisionDevice,
  type ProvisionOptions,
  type ProvisionResult,
} from '../provision/index.js';
import type { TrustList } from '../verify/trust-list.js';
import { rulesInForceFor, rulesVersions } from './rules.js';
import { openRuntime } from './runtime.js';
import { SetupError } from './setup-error.js';
import { chooseTrust, syncedTrust } from './trust.js';

export type { ProvisionOptions, ProvisionResult };

/** A provisioning step's refusal, as the command line reports a setup problem. */
async function asSetup<T>(step: () => Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (err) {
    if (err instanceof ProvisionError) throw new SetupError(err.message);
    throw err;
  }
}

export function provision(opts: ProvisionOptions): Promise<ProvisionResult> {
  return asSetup(() => provisionSteps(opts, DEVICE));
}

export function checkService(...args: Parameters<typeof checkServiceStep>): ReturnType<typeof checkServiceStep> {
  return asSetup(() => checkServiceStep(...args));
}

export function checkAnchorAndUrl(...args: Parameters<typeof checkAnchorAndUrlStep>): Promise<void> {
  return asSetup(() => checkAnchorAndUrlStep(...args));
}

/** The trust list in force on this device now (configured or synced), or null on a fresh one. */
async function trustInForceNow(configFile: string): Promise<TrustList | null> {
  try {
    const rt = await openRuntime({ config: configFile });
    try {
      return chooseTrust(rt, syncedTrust(rt));
    } finally {
      rt.close();
    }
  } catch {
    return null;
  }
}

/**
 * `--replace-trust`: the trust list sync accepted, the status list and the rules data it brought
 * belong to the trust being replaced; forgotten in one transaction, so the new anchor is in force
 * and its publication's list (whatever its seq) is taken whole at the next sync.
 */
async function forgetSyncedTrust(configFile: string): Promise<void> {
  const { forgetSyncedTrust: forget } = await import('../signed-store/index.js');
  const rt = await openRuntime({ config: configFile });
  try {
    forget(rt.db);
  } finally {
    rt.close();
  }
}

async function deviceKeyStep(configFile: string, anchorKeyAlgs: readonly string[]): Promise<{ line: string } | { error: string }> {
  const { makeDeviceKey, deviceKeyAlgFor, deviceKeyFiles, DeviceKeyError } = await import('../audit/device-key.js');
  const rt = await openRuntime({ config: configFile });
  try {
    if (rt.dbFile === ':memory:') return { line: 'device key: none (the database is in memory)' };
    const wanted = deviceKeyAlgFor(anchorKeyAlgs);
    const { key, made } = makeDeviceKey(rt.dbFile, wanted);
    // A device never changes its key (a new key is a new identity the collector refuses): said, not silent.
    const kept = key.info.alg === wanted ? '' : `; the trust list's keys are ${wanted}, but a device keeps the key it was given (a new one only with a new database)`;
    return { line: `device key: ${key.info.alg} ${key.info.id} ${made ? 'made' : 'kept'} (${deviceKeyFiles(rt.dbFile).publicFile})${kept}` };
  } catch (err) {
    return { error: err instanceof DeviceKeyError ? err.message : `device key: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}` };
  } finally {
    rt.close();
  }
}

async function syncWith(configFile: string, signal?: AbortSignal) {
  const { statusDataDir } = await import('../status/list/index.js');
  const { syncOnce } = await import('../status/sync/index.js');
  const rt = await openRuntime({ config: configFile });
  try {
    const cfg = rt.config;
    const dataDir = statusDataDir(rt.dbFile);
    const trust = chooseTrust(rt, syncedTrust(rt));
    const outcome = await syncOnce({
      db: rt.db,
      dataDir,
      baseUrl: cfg.statusList.url!,
      trust,
      heldRules: rulesVersions(rulesInForceFor(rt)),
      checkSec: () => rt.time().nowSec,
      timeoutMs: cfg.statusList.timeoutSec * 1000,
      minRate: { bytesPerSec: cfg.statusList.minRateBytesPerSec, windowMs: cfg.statusList.minRateWindowSec * 1000 },
      ...(signal ? { signal } : {}),
    });
    // A verified manifest's iat is signed time: it raises the clock floor (docs/DESIGN.md).
    if (outcome.ok && outcome.iat !== null) rt.clockFloor.raise(outcome.iat, 'manifest');
    return outcome;
  } finally {
    rt.close();
  }
}

const DEVICE: ProvisionDevice = {
  trustInForce: trustInForceNow,
  forgetSyncedTrust,
  sync: syncWith,
  deviceKey: deviceKeyStep,
};
