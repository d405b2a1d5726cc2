/**
 * `roadscan status`: what the scanner holds now (docs/CLI.md): the list's seq, entries and
 * publication time, the trust list version, the clock's state, whether the list is stale, and
 * each signed document held with its version and `expires` (spec 1.2: past it, scans carry
 * TRUST_STALE).
 * @module
 */
import type { Command } from 'commander';
import { addCommonOptions, type CommonOptions } from '../common-options.js';
import { openRuntime } from '../../app/index.js';

interface StatusCliOptions extends CommonOptions {
  json?: boolean;
}

export function register(program: Command): void {
  addCommonOptions(
    program
      .command('status')
      .description('show the status list held (seq, entries, age), the trust list version and the clock state')
      .option('--json', 'print {"seq","entries","listIat","trustVersion","rules","clock","deviceKey",...} as JSON'),
  ).action(async (opts: StatusCliOptions) => {
    process.exitCode = await runStatus(opts);
  });
}

async function runStatus(opts: StatusCliOptions): Promise<number> {
  const { StatusListStore, statusDataDir } = await import('../../app/status-list.js');
  const { listAge } = await import('../../core/staleness.js');
  const { chooseTrust, syncedTrust, heldDocuments, loadRulesData, rulesVersions, policyInForce, policySummary } = await import('../../app/index.js');
  const { heldExpiry } = await import('../../app/status-list.js');
  // `status` only reads: a database that is not there is named, never created.
  const rt = await openRuntime({ ...opts, existingDb: true });
  try {
    const store = StatusListStore.open(rt.db, statusDataDir(rt.dbFile));
    let trust: ReturnType<typeof chooseTrust> | null = null;
    try {
      trust = chooseTrust(rt, syncedTrust(rt));
    } catch {
      trust = null; // no trust list at all: shown as null
    }
    const trustVersion = trust?.version ?? null;
    // The rules data in force (docs/CLI.md: "rules":{"calendar-cn":N|null,"adoption":N|null}).
    let rules: Record<string, number | null> = { 'calendar-cn': null, adoption: null, policy: null };
    let rulesData: ReturnType<typeof loadRulesData> | null = null;
    let policy: ReturnType<typeof policySummary> | null = null;
    try {
      rulesData = loadRulesData(rt);
      rules = rulesVersions(rulesData.inForce);
      // The policy in force: its version, expiry, and what the configuration tightens.
      policy = policySummary(policyInForce(rt.config, rulesData.policy), rulesData.inForce.source.policy);
    } catch {
      // A configured file that cannot be used: shown as null (verify would say why, exit 2).
    }
    // Spec 1.2: every signed document held, its version and expires, at the check instant.
    const nowSec = rt.time().nowSec;
    const signed = trust ? heldDocuments(trust, rulesData ?? { held: [] }).map((d) => heldExpiry(d, nowSec)) : [];
    const floor = rt.clockFloor;
    const explicit = opts.now !== undefined;
    const clock = explicit || floor.state(Date.now()).state === 'ok' ? 'ok' : 'unreliable';
    // The whole kept snapshot is read once against its SHA-256: `status` says when it is damaged.
    const atRest = store.verifyAtRest();
    const iat = store.listIat();
    // The list age by the policy in force (24 h by default; the configuration may shorten it).
    const maxAgeHours = policy?.numbers['statusList.maxAgeHours'] ?? rt.config.statusList.maxAgeHours ?? 24;
    const age = listAge(iat, rt.time().nowSec, maxAgeHours * 3600);
    const last = store.lastSyncAttempt();
    const report = {
      seq: store.seq(),
      entries: store.entries(),
      listIat: iat === null ? null : new Date(iat * 1000).toISOString(),
      trustVersion,
      rules,
      policy,
      signed,
      trustStale: signed.some((d) => d.stale),
      clock,
      stale: age.stale,
      ageSec: age.ageSec,
      lastSync: last ? { at: new Date(last.atMs).toISOString(), ok: last.ok, error: last.error } : null,
      problem: atRest ?? store.problem(),
      damaged: (atRest ?? store.problem() ?? '').startsWith('status list damaged'),
      // The key the audit checkpoints are signed with (public half), or null: none made yet.
      deviceKey: rt.dbFile === ':memory:' ? null : (await import('../../app/audit-proof.js')).readDeviceKeyInfo(rt.dbFile),
    };
    store.close();
    if (opts.json) {
      process.stdout.write(`${JSON.stringify(report)}\n`);
    } else {
      const lines = [
        `status list: ${report.damaged ? 'DAMAGED, read as never synced until a fresh copy is fetched' : report.seq === null ? 'never synced' : `seq ${report.seq}, ${report.entries} entries, published ${report.listIat}`}`,
        `  ${report.stale ? 'STALE: scans carry STATUS_LIST_STALE' : 'fresh'}${age.ageSec !== null ? ` (age ${(age.ageSec / 3600).toFixed(1)} h)` : ''}`,
        `trust list: ${trustVersion === null ? 'none' : `version ${trustVersion}`}`,
        `rules data: ${Object.entries(rules)
          .map(([name, v]) => `${name} ${v === null ? 'none' : `version ${v}`}`)
          .join(', ')}`,
        ...signed.map(
          (d) =>
            `signed ${d.name === 'trust' ? 'trust list' : d.name} version ${d.version}: ${d.expires === null ? 'no expires, STALE: scans carry TRUST_STALE' : d.stale ? `expired ${d.expires}, STALE: scans carry TRUST_STALE` : `expires ${d.expires} (in ${(d.secondsLeft! / 86400).toFixed(1)} days)`}`,
        ),
        `clock: ${clock}`,
        `device key: ${report.deviceKey ? `${report.deviceKey.alg} ${report.deviceKey.id}` : 'none'}`,
      ];
      if (policy) {
        lines.push(`policy: version ${policy.version}${policy.version === 0 ? ' (shipped defaults)' : ''}${policy.expires ? `, expires ${policy.expires}` : ''}`);
        if (policy.tightened.length > 0) lines.push(`  stricter by configuration: ${policy.tightened.join(', ')}`);
        if (policy.ignored.length > 0) lines.push(`  laxer in the configuration, not applied: ${policy.ignored.join(', ')}`);
      }
      if (report.lastSync) lines.push(`last sync: ${report.lastSync.at} ${report.lastSync.ok ? 'ok' : `failed: ${report.lastSync.error}`}`);
      if (report.problem) lines.push(`problem: ${report.problem}`);
      process.stdout.write(`${lines.join('\n')}\n`);
    }
    return 0;
  } finally {
    rt.close();
  }
}
