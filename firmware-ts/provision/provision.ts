/**
 * Provisioning (docs/DESIGN.md, "Provisioning"): a device is useless without its first trust
 * anchor, so the step that gives it one must never say "done" before the device scans. In order:
 * the anchor is checked (a trust list that can serve, docs/CREDENTIALS.md section 5) before
 * anything changes; it is installed beside the configuration by an atomic rename; the
 * configuration is rewritten the same way with the anchor and the status-list URL, and checked
 * as the service will read it; one sync runs with that anchor (docs/STATUS-LIST.md); and only a
 * service answering `/healthz` with its scanner open counts as done.
 *
 * Every step says one line; the first that fails ends the provisioning with its reason. A bad
 * anchor or configuration changes nothing (a `ProvisionError`); a failed sync or a silent service
 * leaves the anchor installed (it was checked) and reports "not done".
 *
 * What it needs of the device's runtime (the trust in force, a sync, the device key) comes through
 * `ProvisionDevice`, which app/provision.ts wires; this folder holds the steps and their order.
 * @module
 */
import { dirname, join } from 'node:path';
import { ConfigError, loadConfig } from '../config/load.js';
import type { Config } from '../config/schema.js';
import { waitForScanning } from '../health/health-probe.js';
import type { TrustList } from '../verify/trust-list.js';
import { anchorConflict, checkAnchor, checkUrl, describeAnchor } from './anchor-checks.js';
import { configuredWith, serviceOwner, writeFileAtomically } from './install-files.js';
import { ProvisionError } from './provision-error.js';
import { scratchSync } from './scratch-sync.js';

const LOCK_RETRIES = 30;
const LOCK_RETRY_MS = 1000;

export interface ProvisionOptions {
  /** The configuration to write the anchor and URL into (it must exist: the installer writes it first). */
  configFile: string;
  /** The trust anchor to install (a trust list, JSON). */
  anchorFile: string;
  /** Base URL of the status-list publication. */
  statusUrl: string;
  /** How long to wait for the service's `/healthz` to say it scans; 0 leaves the service unchecked. */
  waitMs: number;
  /** Ends the sync and the wait at once (Ctrl-C). */
  signal?: AbortSignal;
  /** One line per step, as it happens. */
  say(line: string): void;
  /** Take an anchor older than or unrelated to the trust list in force (said, by what it replaces). */
  replaceTrust?: boolean;
}

export interface ProvisionResult {
  /** True when every step passed (with `waitMs` 0: anchor, configuration and sync). */
  done: boolean;
  /** Why not, in one line; null when done. */
  reason: string | null;
  /** Where the anchor is now. */
  anchorPath: string;
  trustVersion: number;
  seq: number | null;
  /** `true`: `/healthz` said scanning; `false`: it did not within the wait; null: not checked. */
  scanning: boolean | null;
}

/** The outcome of one sync of the device's own database, as provisioning reads it. */
export interface DeviceSyncOutcome {
  ok: boolean;
  seq: number | null;
  entries: number;
  applied: string;
  error?: string;
}

/** What provisioning needs of the device, each opening the runtime the configuration names. */
export interface ProvisionDevice {
  /** The trust list in force now (configured or synced), or null on a fresh device. */
  trustInForce(configFile: string): Promise<TrustList | null>;
  /** `--replace-trust`: forgets what sync brought under the trust being replaced, in one transaction. */
  forgetSyncedTrust(configFile: string): Promise<void>;
  /** One sync with the trust in force (the anchor just installed). */
  sync(configFile: string, signal?: AbortSignal): Promise<DeviceSyncOutcome>;
  /** The device key the audit checkpoints are signed with: made once, kept after. */
  deviceKey(configFile: string, anchorKeyAlgs: readonly string[]): Promise<{ line: string } | { error: string }>;
}

export async function provision(opts: ProvisionOptions, device: ProvisionDevice): Promise<ProvisionResult> {
  const { say } = opts;
  checkUrl(opts.statusUrl);
  // 1. The anchor, the URL, the trust in force and the configuration are checked, and one full
  // sync runs into a scratch database, before anything changes: all of it, or nothing.
  const { bytes, trust } = checkAnchor(opts.anchorFile);
  say(`trust anchor ok: ${describeAnchor(trust)}`);
  const inForce = await device.trustInForce(opts.configFile);
  const conflict = inForce ? anchorConflict(trust, inForce) : null;
  if (conflict && !opts.replaceTrust) {
    throw new ProvisionError(`trust anchor ${opts.anchorFile}: ${conflict}; nothing was changed (give --replace-trust to replace it)`);
  }
  if (conflict && inForce) say(`replacing the trust list in force, version ${inForce.version} (${conflict.split(' (')[0]}), by this anchor (--replace-trust)`);
  const checked = await scratchSync(trust, opts.statusUrl, opts.signal);
  say(`status list ok with this anchor: seq ${checked.seq}, ${checked.entries} entries`);
  let loaded: Awaited<ReturnType<typeof loadConfig>>;
  try {
    loaded = await loadConfig(opts.configFile);
  } catch (err) {
    if (err instanceof ConfigError) throw new ProvisionError(`configuration ${err.message}`);
    throw err;
  }
  const anchorPath = loaded.config.trustFile ? loaded.resolvePath(loaded.config.trustFile) : join(dirname(loaded.file), 'trust.json');
  const { text } = configuredWith(loaded.file, 'trust.json', opts.statusUrl);

  // 2. Installed: the anchor first, so the configuration never names a file that is not there;
  // both 0600 and owned by the service user (the owner of the database's folder).
  try {
    const owner = serviceOwner(loaded.config.db ? loaded.resolvePath(loaded.config.db) : null);
    writeFileAtomically(anchorPath, bytes, 0o600, owner);
    writeFileAtomically(loaded.file, text, 0o600, owner);
  } catch (err) {
    if (err instanceof ProvisionError) throw err;
    throw new ProvisionError(`cannot install into ${dirname(anchorPath)}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  if (conflict) await device.forgetSyncedTrust(loaded.file);
  const installedSec = Date.now() / 1000;
  say(`installed ${anchorPath}; ${loaded.file}: trustFile and statusList.url ${opts.statusUrl}`);
  const result: ProvisionResult = { done: false, reason: null, anchorPath, trustVersion: trust.version, seq: null, scanning: null };

  // 3. The configuration as the service will read it, and one sync with the anchor it names.
  // A running service may be syncing this very database: its lease is short, so wait it out.
  let outcome = await device.sync(loaded.file, opts.signal);
  for (let i = 0; i < LOCK_RETRIES && !outcome.ok && /^another sync is running/.test(outcome.error ?? '') && !opts.signal?.aborted; i++) {
    await new Promise((r) => setTimeout(r, LOCK_RETRY_MS));
    outcome = await device.sync(loaded.file, opts.signal);
  }
  result.seq = outcome.seq;
  if (!outcome.ok) return { ...result, reason: `first sync failed: ${outcome.error}` };
  say(`first sync: status list seq ${outcome.seq}, ${outcome.applied === 'none' ? 'already current' : `applied ${outcome.applied}`}, ${outcome.entries} entries`);
  // The device key the audit checkpoints are signed with (audit/device-key.ts): made once, kept
  // after; SM2 when the anchor's keys (its root's, or all it lists) are SM2, else Ed25519.
  const key = await device.deviceKey(loaded.file, (trust.root ? trust.root.keys.map((k) => k.publicKey.alg) : trust.keys.map((k) => k.publicKey.alg)) as string[]);
  if ('error' in key) return { ...result, reason: key.error };
  say(key.line);

  // 4. Done only when the service scans.
  if (opts.waitMs <= 0) return { ...result, done: true };
  // The service reads its anchor at start: one running since before the anchor does not count.
  say(`waiting up to ${Math.round(opts.waitMs / 1000)} s for a service started after the anchor went in (on a device: sudo systemctl restart roadscan)`);
  const health = await checkService(loaded.file, opts.waitMs, opts.signal, installedSec);
  if (!health.scanning) return { ...result, scanning: false, reason: health.reason };
  say(health.line);
  return { ...result, scanning: true, done: true };
}

/** `roadscan provision --check`: changes nothing, waits for the service to scan. */
export async function checkService(
  configFile: string,
  waitMs: number,
  signal?: AbortSignal,
  startedSinceSec?: number,
): Promise<{ scanning: true; line: string } | { scanning: false; reason: string }> {
  let config: Config;
  try {
    config = (await loadConfig(configFile)).config;
  } catch (err) {
    if (err instanceof ConfigError) throw new ProvisionError(`configuration ${err.message}`);
    throw err;
  }
  if (!config.health.enabled) return { scanning: false, reason: 'the health endpoint is off (health.enabled false): nothing can confirm that the service scans' };
  return waitForScanning({
    host: config.health.host,
    port: config.health.port,
    waitMs,
    ...(signal ? { signal } : {}),
    ...(startedSinceSec !== undefined ? { startedSinceSec } : {}),
  });
}
