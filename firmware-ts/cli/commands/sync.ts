/**
 * `roadscan sync --url BASE_URL`: one status-list sync (docs/STATUS-LIST.md), with a progress bar on
 * a terminal for long downloads. Prints what changed, or why nothing did, in one line; exit 0 on
 * success or nothing to do, 1 on a refused or failed sync (docs/CLI.md).
 * @module
 */
import type { Command } from 'commander';
import { chooseTrust, openRuntime, rulesInForceFor, rulesVersions, syncedTrust } from '../../app/index.js';
import { addCommonOptions, type CommonOptions } from '../common-options.js';
import { UsageError } from '../usage-error.js';

interface SyncCliOptions extends CommonOptions {
  url?: string;
  json?: boolean;
  timeout?: string;
}

export function register(program: Command): void {
  addCommonOptions(
    program
      .command('sync')
      .description('fetch the status list once (manifest, deltas or snapshot, trust list) and apply it whole')
      .option('--url <base>', 'base URL of the published list (default: statusList.url of the configuration)')
      .option('--timeout <sec>', 'give up on a request when no byte arrives for this long (default: statusList.timeoutSec)')
      .option('--json', 'print {"ok","seq","applied","entries","iat","trustVersion","rules","error"} as JSON'),
  ).action(async (opts: SyncCliOptions) => {
    process.exitCode = await runSync(opts);
  });
}

function timeoutMs(opts: SyncCliOptions, configuredSec: number): number {
  if (opts.timeout === undefined) return configuredSec * 1000;
  const sec = Number(opts.timeout);
  if (!/^\d+(\.\d+)?$/.test(opts.timeout) || sec <= 0 || sec > 600) {
    throw new UsageError(`--timeout: expected seconds between 0 and 600, got ${JSON.stringify(opts.timeout)}`);
  }
  return sec * 1000;
}

async function runSync(opts: SyncCliOptions): Promise<number> {
  const { statusDataDir } = await import('../../app/status-list.js');
  const { syncOnce } = await import('../../app/status-list.js');
  const { ProgressBar } = await import('../progress-bar.js');
  const rt = await openRuntime(opts);
  try {
    const baseUrl = opts.url ?? rt.config.statusList.url;
    if (!baseUrl) throw new UsageError('no status list URL: give --url BASE_URL or set statusList.url in the configuration');
    const dataDir = statusDataDir(rt.dbFile);
    const trust = chooseTrust(rt, syncedTrust(rt));
    // A rules document must be above the version in force (configured, shipped or synced).
    const heldRules = rulesVersions(rulesInForceFor(rt));
    const bar = new ProgressBar();
    // Ctrl-C or SIGTERM ends the requests at once; what was downloaded stays for the next sync.
    const abort = new AbortController();
    const stop = () => abort.abort();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    const outcome = await syncOnce({
      db: rt.db,
      dataDir,
      baseUrl,
      trust,
      heldRules,
      checkSec: () => rt.time().nowSec,
      signal: abort.signal,
      timeoutMs: timeoutMs(opts, rt.config.statusList.timeoutSec),
      minRate: { bytesPerSec: rt.config.statusList.minRateBytesPerSec, windowMs: rt.config.statusList.minRateWindowSec * 1000 },
      onProgress: (p) => bar.update(p),
    }).finally(() => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
    });
    bar.done();
    // A verified manifest's iat is signed time: it raises the clock floor (docs/DESIGN.md).
    if (outcome.ok && outcome.iat !== null) rt.clockFloor.raise(outcome.iat, 'manifest');
    const iso = outcome.iat === null ? null : new Date(outcome.iat * 1000).toISOString();
    if (opts.json) {
      const { ok, seq, applied, entries } = outcome;
      process.stdout.write(
        `${JSON.stringify({ ok, seq, applied, entries, iat: iso, ...(outcome.trustVersion !== undefined ? { trustVersion: outcome.trustVersion } : {}), ...(outcome.rules ? { rules: outcome.rules } : {}), error: outcome.error ?? null })}\n`,
      );
    } else if (outcome.ok) {
      const what = outcome.notModified ? 'not modified since the last sync' : outcome.applied === 'none' ? 'already current' : `applied ${outcome.applied}`;
      const rulesNote = Object.entries(outcome.rules ?? {})
        .map(([name, v]) => `, ${name} version ${v}`)
        .join('');
      const trustNote = `${outcome.trustVersion !== undefined ? `, trust list version ${outcome.trustVersion}` : ''}${rulesNote}`;
      process.stdout.write(`status list seq ${outcome.seq}: ${what}, ${outcome.entries} entries, published ${iso}${trustNote}\n`);
    } else {
      process.stderr.write(`roadscan: sync failed: ${outcome.error}\n`);
    }
    return outcome.ok ? 0 : 1;
  } finally {
    rt.close();
  }
}
