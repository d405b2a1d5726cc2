/**
 * `roadscan audit export|verify|upload|purge`: the audit log from the command line.
 *
 * - `export --since ISO` writes one JSON object per record (NDJSON) to standard output, oldest
 *   first: the same objects an upload sends. With `--proof` (and `--challenge TEXT`) it writes
 *   them with their chain and signed checkpoints (audit/audit-proof.ts).
 * - `verify FILE --device-key KEY` checks such an export offline (audit/proof-verify.ts): one
 *   line per problem and exit 1, or one line saying it holds and exit 0; 2 when it cannot check.
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
  proof?: boolean;
  challenge?: string;
}
interface VerifyOptions {
  deviceKey?: string;
  challenge?: string;
}
interface UploadOptions extends CommonOptions {
  url?: string;
  ca?: string;
}

export function register(program: Command): void {
  const audit = program.command('audit').description('the audit log: export, verify, upload, purge');
  addCommonOptions(
    audit
      .command('export')
      .description('print audit records as NDJSON, oldest first')
      .option('--since <iso>', 'only records at or after this instant (default: all)')
      .option('--proof', 'with their hash chain and the signed checkpoints, for roadscan audit verify')
      .option('--challenge <text>', "with --proof: sign this verifier's challenge into the export (1 to 128 printable characters)"),
  ).action(async (opts: ExportOptions) => {
    process.exitCode = await runExport(opts);
  });
  audit
    .command('verify')
    .description('check an export made with --proof offline: one line per gap, edit, reordering, fork, forged or missing checkpoint')
    .argument('<file>', 'the export (NDJSON of roadscan audit export --proof)')
    .option(
      '--device-key <key>',
      'the device public key (Ed25519 or SM2): a PEM file, the base64 "publicKey" of roadscan status --json, or the raw key as a trust list writes it',
    )
    .option('--challenge <text>', 'the challenge the export must answer (else: an older export replayed)')
    .addHelpText('after', '\nExit status: 0 the chain is whole and signed; 1 problems found (one line each); 2 the file or key cannot be read.')
    .action(async (file: string, opts: VerifyOptions) => {
      process.exitCode = await runVerify(file, opts);
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
  const [{ openRuntime, openAuditLog }] = await Promise.all([import('../../app/index.js')]);
  const rt = await openRuntime({ ...opts, existingDb: true });
  try {
    return { rt, log: openAuditLog(rt) };
  } catch (err) {
    rt.close();
    throw new UsageError(`audit log: ${(err as Error).message}`);
  }
}

async function runExport(opts: ExportOptions): Promise<number> {
  const since = opts.since === undefined ? Number.MIN_SAFE_INTEGER : parseSince(opts.since);
  if (opts.challenge !== undefined && !opts.proof) throw new UsageError('--challenge: only with --proof');
  if (opts.challenge !== undefined && !/^[\x21-\x7e]{1,128}$/.test(opts.challenge)) throw new UsageError('--challenge: 1 to 128 printable ASCII characters, no spaces');
  const { rt, log } = await open(opts);
  let broken = false;
  process.stdout.on('error', () => (broken = true)); // a closed pipe (| head) ends the export quietly
  try {
    let lines: Iterable<string>;
    if (opts.proof) {
      const { proofLines, readDeviceKeyInfo } = await import('../../app/audit-proof.js');
      lines = proofLines(log, rt.config.device.id, opts.since === undefined ? null : since, readDeviceKeyInfo(rt.dbFile), opts.challenge ?? null);
    } else
      lines = (function* () {
        for (const record of log.export(since)) yield JSON.stringify(record);
      })();
    let chunk = '';
    for (const line of lines) {
      chunk += `${line}\n`;
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
    const { readDeviceKeyInfo } = await import('../../app/audit-proof.js');
    const uploader = new AuditUploader(log, {
      url,
      ...tls,
      deviceKey: rt.dbFile === ':memory:' ? null : readDeviceKeyInfo(rt.dbFile),
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

async function runVerify(file: string, opts: VerifyOptions): Promise<number> {
  const { openSync, closeSync, existsSync: exists, readFileSync, statSync } = await import('node:fs');
  const { verifyProof, fileLines } = await import('../../app/audit-proof.js');
  const { parsePublicKey, DeviceKeyError } = await import('../../app/audit-proof.js');
  if (!opts.deviceKey) throw new UsageError('no key: give --device-key KEY (a PEM file, the base64 "publicKey" of roadscan status --json, or a raw Ed25519 or SM2 key)');
  let keyText = opts.deviceKey;
  if (exists(opts.deviceKey)) {
    if (statSync(opts.deviceKey).size > 16 * 1024) throw new UsageError(`--device-key: ${opts.deviceKey} is larger than 16 KiB, not a key`);
    keyText = readFileSync(opts.deviceKey, 'utf8');
  }
  let key: ReturnType<typeof parsePublicKey>;
  try {
    key = parsePublicKey(keyText);
  } catch (err) {
    if (err instanceof DeviceKeyError) throw new UsageError(`--device-key: ${err.message}`);
    throw err;
  }
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch (err) {
    throw new UsageError(`${file}: cannot read (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  try {
    const verdict = verifyProof(fileLines(fd), key, { challenge: opts.challenge ?? null });
    const { oneLine } = await import('../../core/text-safety.js');
    for (const p of verdict.problems) process.stdout.write(`${oneLine(p, 300)}\n`);
    process.stdout.write(`${verdict.problems.length === 0 ? 'ok' : 'NOT OK'}: ${verdict.summary}\n`);
    return verdict.problems.length === 0 ? 0 : 1;
  } finally {
    closeSync(fd);
  }
}
