/**
 * `roadscan status`: what the scanner holds now (spec/CLI.md): the list's seq, entries and
 * publication time, the trust list version, the clock's state, and whether the list is stale.
 * @module
 */
import type { Command } from 'commander';
import { addCommonOptions, type CommonOptions } from '../common-options.js';
import { openRuntime } from '../context.js';

interface StatusCliOptions extends CommonOptions {
  json?: boolean;
}

export function register(program: Command): void {
  addCommonOptions(
    program
      .command('status')
      .description('show the status list held (seq, entries, age), the trust list version and the clock state')
      .option('--json', 'print {"seq","entries","listIat","trustVersion","clock",...} as JSON'),
  ).action(async (opts: StatusCliOptions) => {
    process.exitCode = await runStatus(opts);
  });
}

async function runStatus(opts: StatusCliOptions): Promise<number> {
  const { StatusListStore } = await import('../../status/status-list-store.js');
  const { statusDataDir } = await import('../../status/status-files.js');
  const { listAge } = await import('../../status/staleness.js');
  const { trustForSync } = await import('./sync.js');
  const rt = openRuntime(opts);
  try {
    const store = StatusListStore.open(rt.db, statusDataDir(rt.dbFile));
    let trustVersion: number | null = null;
    try {
      trustVersion = trustForSync(rt, opts, store.trustJson()).version;
    } catch {
      trustVersion = null; // no trust list at all: shown as null
    }
    const floor = rt.clockFloor;
    const explicit = opts.now !== undefined;
    const clock = explicit || floor.state(Date.now()).state === 'ok' ? 'ok' : 'unreliable';
    const iat = store.listIat();
    const age = listAge(iat, rt.time().nowSec, rt.config.statusList.maxAgeHours * 3600);
    const last = rt.db.prepare('SELECT at_ms, ok, error FROM status_sync_attempt WHERE id = 1').get() as
      | { at_ms: number; ok: number; error: string | null }
      | undefined;
    const report = {
      seq: store.seq(),
      entries: store.entries(),
      listIat: iat === null ? null : new Date(iat * 1000).toISOString(),
      trustVersion,
      clock,
      stale: age.stale,
      ageSec: age.ageSec,
      lastSync: last ? { at: new Date(last.at_ms).toISOString(), ok: last.ok === 1, error: last.error } : null,
      problem: store.problem(),
    };
    store.close();
    if (opts.json) {
      process.stdout.write(`${JSON.stringify(report)}\n`);
    } else {
      const lines = [
        `status list: ${report.seq === null ? 'never synced' : `seq ${report.seq}, ${report.entries} entries, published ${report.listIat}`}`,
        `  ${report.stale ? 'STALE: scans carry STATUS_LIST_STALE' : 'fresh'}${age.ageSec !== null ? ` (age ${(age.ageSec / 3600).toFixed(1)} h)` : ''}`,
        `trust list: ${trustVersion === null ? 'none' : `version ${trustVersion}`}`,
        `clock: ${clock}`,
      ];
      if (report.lastSync) lines.push(`last sync: ${report.lastSync.at} ${report.lastSync.ok ? 'ok' : `failed: ${report.lastSync.error}`}`);
      if (report.problem) lines.push(`problem: ${report.problem}`);
      process.stdout.write(`${lines.join('\n')}\n`);
    }
    return 0;
  } finally {
    rt.close();
  }
}
