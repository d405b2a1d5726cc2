/**
 * `roadscan verify [TEXT]`: one QR text from the argument, or one per standard-input line,
 * each answered in order (docs/CLI.md).
 *
 * Each text goes through the same scan path as the appliance's (app/scan-path.ts). At a gate or a
 * window the once-only step runs after each check, on the same store the appliance uses: a ticket
 * verified at a gate has boarded, and a second verify of it says ALREADY_BOARDED; and each scan is
 * a row of the audit log, the same row the appliance writes for the same code. A window records a
 * voucher swap only on the clerk's confirm, which `--confirm` gives for every ticket that may be
 * swapped (an answer row of its own, source `command`). `--dry-run` only looks: nothing is recorded.
 * @module
 */
import type { Command } from 'commander';
import { MAX_QR_TEXT, type ScanPath, type ScanResult } from '../../scan-path/index.js';
import { addCommonOptions, type CommonOptions } from '../common-options.js';
import { buildChecker, chooseTrust, openCommandScanPath, openRuntime, openStatusSource, syncedTrust } from '../../app/index.js';
import { exitCodeOf, resultJson, resultLine } from '../format-result.js';
import { readLines } from '../line-reader.js';

interface VerifyOptions extends CommonOptions {
  json?: boolean;
  dryRun?: boolean;
  confirm?: boolean;
}

export function register(program: Command): void {
  addCommonOptions(
    program
      .command('verify')
      .description('verify one QR text, or one per line of standard input (at a gate or window, records as the appliance does)')
      .argument('[text]', 'the QR text (RS1:...); omit to read standard input')
      .option('--json', 'print one JSON object per input')
      .option('--dry-run', 'check without recording anything (no boarding, no voucher swap)')
      .option('--confirm', "at a window: the clerk's confirm, recording the voucher swap of each ticket that may be swapped"),
  ).action(async (text: string | undefined, opts: VerifyOptions) => {
    process.exitCode = await runVerify(text, opts);
  });
}

async function runVerify(text: string | undefined, opts: VerifyOptions): Promise<number> {
  const rt = await openRuntime(opts);
  let opened: { path: ScanPath; close(): Promise<void> } | null = null;
  try {
    const status = openStatusSource(rt);
    const checker = buildChecker(rt, chooseTrust(rt, syncedTrust(rt)), status);
    opened = await openCommandScanPath(rt, checker, { dryRun: opts.dryRun === true, escalate: () => checker.policy.policy.escalate });
    const { path } = opened;
    // A failing store or record never changes the verdict; the operator of the command is told on stderr.
    path.on('fault', (f) => {
      if (f.state !== 'failing') return;
      process.stderr.write(
        f.part === 'once-only' ? `roadscan: once-only record ${f.fault.op} failed: ${f.fault.message}\n` : `roadscan: audit record failed: ${f.message}\n`,
      );
    });
    const answer = (line: string): Promise<ScanResult> => verifyOne(path, line, opts.confirm === true);
    const format = opts.json ? (r: ScanResult) => resultJson(r) : resultLine;
    if (text !== undefined) {
      const result = await answer(text);
      // The verdict's status before its line: a reader that closes the pipe early still gets it.
      process.exitCode = exitCodeOf(result);
      process.stdout.write(`${format(result)}\n`);
      return exitCodeOf(result);
    }
    // A line longer than any valid code only needs its beginning to be answered MALFORMED.
    for await (const batch of readLines(process.stdin, MAX_QR_TEXT + 1)) {
      let out = '';
      for (const line of batch) out += `${format(await answer(line.text))}\n`;
      if (!process.stdout.write(out)) await new Promise((r) => process.stdout.once('drain', r));
    }
    return 0;
  } finally {
    await opened?.close();
    rt.close();
  }
}

/** One text through the path, and with `--confirm` the clerk's confirm of the voucher decision it leaves. */
async function verifyOne(path: ScanPath, text: string, confirm: boolean): Promise<ScanResult> {
  const result = await path.handle(text, 'command');
  if (!confirm || path.pending?.kind !== 'voucher') return result;
  // Another window may have swapped it between the look and the confirm: then this swap did not happen.
  return (await path.act('confirm', 'command'))?.result ?? result;
}
