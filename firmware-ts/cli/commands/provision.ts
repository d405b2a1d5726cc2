/**
 * `roadscan provision --trust FILE --status-url URL`: gives a device its first trust anchor and
 * its status list (docs/DESIGN.md, "Provisioning"; the work is in `provision/`, wired by `app/provision.ts`): checks the
 * anchor, installs it and the URL into the configuration atomically, syncs once, and says "done"
 * only when the service's `/healthz` says it scans. `--check` changes nothing and only waits for
 * that answer (the installer's last step). Exit 0 done, 1 not done (the sync failed or the
 * service does not scan; the checked anchor stays installed), 2 nothing changed (no anchor, a
 * bad one, a bad configuration or option), one line on stderr.
 * @module
 */
import type { Command } from 'commander';
import { oneLine } from '../../core/text-safety.js';
import { UsageError } from '../usage-error.js';

interface ProvisionCliOptions {
  config?: string;
  trust?: string;
  statusUrl?: string;
  wait: string;
  check?: boolean;
  checkAnchor?: string;
  replaceTrust?: boolean;
}

/** The configuration the installed service reads (scripts/deploy/roadscan.service), never the package's own files. */
export const SYSTEM_CONFIG_FILE = '/etc/roadscan/config.json';

export function register(program: Command): void {
  program
    .command('provision')
    .description('install the first trust anchor and the status-list URL, sync once, and report done only when the service scans')
    .option('--trust <file>', "the trust anchor: the authority's trust list, JSON (docs/CREDENTIALS.md section 5)")
    .option('--status-url <url>', 'base URL of the status-list publication (docs/STATUS-LIST.md)')
    .option('--config <file>', `the configuration to write them into (default ${'/etc/roadscan/config.json'}, the one the service reads)`)
    .option('--wait <sec>', "how long to wait for the service's /healthz to say it scans; 0: do not check the service", '60')
    .option('--check', 'change nothing: only wait for the service to scan and say so')
    .option('--check-anchor <file>', 'change nothing: check this anchor (and with --status-url, one full sync with it into a scratch database)')
    .option('--replace-trust', 'take an anchor older than or unrelated to the trust list in force (says what it replaces)')
    .addHelpText(
      'after',
      `
Examples:
  sudo roadscan provision --trust trust.json --status-url https://status.example/
  roadscan provision --check-anchor trust.json --status-url https://status.example/
  roadscan provision --check --config /etc/roadscan/config.json --wait 30

Exit status: 0 done (anchor installed, first sync applied, /healthz says the scanner is open);
1 not done (the sync failed or the service does not scan: the reason on stderr);
2 nothing changed (no anchor, a bad anchor or configuration, a bad option).`,
    )
    .action(async (opts: ProvisionCliOptions) => {
      process.exitCode = await runProvision(opts);
    });
}

function waitMs(text: string): number {
  const sec = Number(text);
  if (!/^\d+(\.\d+)?$/.test(text) || sec > 3600) throw new UsageError(`--wait: expected seconds between 0 and 3600, got ${JSON.stringify(text)}`);
  return sec * 1000;
}

async function runProvision(opts: ProvisionCliOptions): Promise<number> {
  const { provision, checkService, checkAnchorAndUrl } = await import('../../app/provision.js');
  const configFile = opts.config ?? SYSTEM_CONFIG_FILE;
  const wait = waitMs(opts.wait);
  const say = (line: string) => process.stdout.write(`provision: ${line}\n`);
  const abort = new AbortController();
  const stop = () => abort.abort();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  try {
    if (opts.check) {
      const health = await checkService(configFile, wait, abort.signal);
      if (!health.scanning) {
        process.stderr.write(`roadscan: provision: not done: ${oneLine(health.reason, 500)}\n`);
        return 1;
      }
      say(health.line);
      return 0;
    }
    if (opts.checkAnchor !== undefined) {
      await checkAnchorAndUrl(opts.checkAnchor, opts.statusUrl ?? null, say, abort.signal);
      return 0;
    }
    if (!opts.trust) {
      throw new UsageError("no trust anchor: give --trust FILE (the authority's trust list, docs/CREDENTIALS.md section 5); nothing was changed");
    }
    if (!opts.statusUrl) throw new UsageError('no status list URL: give --status-url URL (the publication the device syncs from); nothing was changed');
    const result = await provision({
      configFile,
      anchorFile: opts.trust,
      statusUrl: opts.statusUrl,
      waitMs: wait,
      signal: abort.signal,
      say,
      ...(opts.replaceTrust ? { replaceTrust: true } : {}),
    });
    if (!result.done) {
      process.stderr.write(`roadscan: provision: not done: ${oneLine(result.reason ?? '', 500)}\n`);
      return 1;
    }
    say(result.scanning ? 'done' : 'anchor and status list installed; the service was not checked (--wait 0)');
    return 0;
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
}
