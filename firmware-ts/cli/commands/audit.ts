/**
 * `roadscan audit export|upload|purge`: the audit log from the command line.
 *
 * - `export --since ISO` writes one JSON object per record (NDJSON) to standard output, oldest
 *   first: the same objects an upload sends.
 * - `upload` runs one upload round now (every pending batch) and prints
 *   `{"ok":..,"acked":N,"pending":N}`; exit 1 when the collector could not take everything.
 * - `purge` applies the retention now, only when the clock floor vouches for the clock.
 * @module
 */
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { addCommonOptions, type CommonOptions } from '../common-options.js';
import { UsageError } from '../usage-error.js';

interface ExportOptions extends CommonOptions {
  since?: string;
}
interface UploadOptions extends CommonOptions {
  url?: string;
  ca?: string;
}

export function register(program: Command): void {
  const audit = program.command('audit').description('the audit log: export, upload, purge');
  addCommonOptions(
    audit.command('export').description('print audit records as NDJSON, oldest first').option('--since <iso>', 'only records at or after this instant (default: all)'),
  ).action(async (opts: ExportOptions) => {
    process.exitCode = await runExport(opts);
  });
  addCommonOptions(
    audit
      .command('upload')
      .description('send every pending record to the collector now (audit.uploadUrl)')
      .option('--url <url>', 'collector URL instead of audit.uploadUrl')
      .option('--ca <file>', 'PEM of the collector CA instead of audit.uploadCaFile'),
  ).action(async (opts: UploadOptions) => {
    process.exitCode = await runUpload(opts);
  });
  addCommonOptions(audit.command('purge').description('delete records past audit.retentionDays (acknowledged ones only when uploading)')).action(
    async (opts: CommonOptions) => {
      process.exitCode = await runPurge(opts);
    },
  );
}

function parseSince(text: string): number {
  const ms = Date.parse(text);
  if (!/^\d{4}-\d{2}-\d{2}/.test(text) || Number.isNaN(ms)) throw new UsageError(`--since: not an ISO-8601 instant: ${JSON.stringify(text)}`);
  return Math.floor(ms / 1000);
}

/** The runtime, refusing to create a database named on the command line that does not exist. */
async function open(opts: CommonOptions) {
  const [{ openRuntime }, { AuditLog }] = await Promise.all([import('../../app/runtime.js'), import('../../app/audit-tools.js')]);
  const rt = await openRuntime({ ...opts, existingDb: true });
  try {
    return { rt, log: new AuditLog(rt.db, { deviceId: rt.config.device.id, operator: rt.config.device.operator }) };
  } catch (err) {
    rt.close();
    throw new UsageError(`audit log: ${(err as Error).message}`);
  }
}

async function runExport(opts: ExportOptions): Promise<number> {
  const since = opts.since === undefined ? Number.MIN_SAFE_INTEGER : parseSince(opts.since);
  const { rt, log } = await open(opts);
  let broken = false;
  process.stdout.on('error', () => (broken = true)); // a closed pipe (| head) ends the export quietly
  try {
    let chunk = '';
    for (const record of log.export(since)) {
      chunk += `${JSON.stringify(record)}\n`;
      if (chunk.length < 64 * 1024) continue;
      if (!process.stdout.write(chunk)) await new Promise((r) => process.stdout.once('drain', r));
      chunk = '';
      if (broken) return 0;
    }
    if (chunk) process.stdout.write(chunk);
    return 0;
  } finally {
    rt.close();
  }
}

async function runUpload(opts: UploadOptions): Promise<number> {
  const { uploadUrlProblem } = await import('../../config/sections/ops.js');
  const { AuditUploader } = await import('../../app/audit-tools.js');
  const { rt, log } = await open(opts);
  try {
    const cfg = rt.config.audit;
    const url = opts.url ?? cfg.uploadUrl;
    if (!url) throw new UsageError('no collector: set audit.uploadUrl in the configuration or give --url');
    const problem = uploadUrlProblem(url);
    if (problem) throw new UsageError(`--url: ${problem}`);
    const { readUploadTls, UploadIdentityError } = await import('../../app/audit-tools.js');
    const tlsFile = (f: string | null) => (f === null ? null : rt.loaded.resolvePath(f));
    let tls;
    try {
      tls = readUploadTls({
        caFile: opts.ca ? resolve(opts.ca) : tlsFile(cfg.uploadCaFile),
        certFile: tlsFile(cfg.uploadCertFile),
        keyFile: tlsFile(cfg.uploadKeyFile),
      });
    } catch (err) {
      if (err instanceof UploadIdentityError) throw new UsageError(err.message);
      throw err;
    }
    const uploader = new AuditUploader(log, {
      url,
      ...tls,
      batchSize: cfg.uploadBatch,
      timeoutMs: cfg.uploadTimeoutSec * 1000,
    });
    const round = await uploader.uploadOnce();
    process.stdout.write(`${JSON.stringify(round)}\n`);
    return round.ok ? 0 : 1;
  } finally {
    rt.close();
  }
}

async function runPurge(opts: CommonOptions): Promise<number> {
  const { clockFloorFromConfig } = await import('../../app/audit-tools.js');
  const { rt, log } = await open(opts);
  try {
    const floor = clockFloorFromConfig(rt.db, rt.config.clock);
    const time = opts.now !== undefined ? floor.explicit(parseSince(opts.now) * 1000) : floor.checkTime(Date.now());
    if (!time.reliable) {
      process.stderr.write('roadscan: the system clock is unreliable (clock floor); nothing purged\n');
      return 1;
    }
    const deleted = log.purge(time.nowSec, rt.config.audit.retentionDays, { requireAck: rt.config.audit.uploadUrl !== null });
    process.stdout.write(`${JSON.stringify({ deleted, remaining: log.count() })}\n`);
    return 0;
  } finally {
    rt.close();
  }
}
