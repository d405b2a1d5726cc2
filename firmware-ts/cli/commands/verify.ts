/**
 * `roadscan verify [TEXT]`: one QR text from the argument, or one per standard-input line,
 * each answered in order (docs/CLI.md).
 *
 * At a gate or a window the once-only step runs after each check, on the same store the
 * appliance uses: a ticket verified at a gate has boarded, and a second verify of it says
 * ALREADY_BOARDED. A window records a voucher swap only on the clerk's confirm, which `--confirm`
 * gives for every ticket that may be swapped. `--dry-run` only looks: nothing is recorded.
 * @module
 */
import type { Command } from 'commander';
import { MAX_QR_TEXT } from '../../codec/qr-text.js';
import type { ScanResult } from '../../scan/scan-checker.js';
import { newScanId, type OnceOnlyStage } from '../../station/once-only-stage.js';
import { addCommonOptions, type CommonOptions } from '../common-options.js';
import { buildChecker, chooseTrust, openRuntime, openStatusSource } from '../../app/index.js';
import type { OnceOnlyRuntime } from '../../app/once-only.js';
import { orderReasons } from '../../core/reasons.js';
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
  let once: OnceOnlyRuntime | null = null;
  try {
    const status = openStatusSource(rt);
    const checker = buildChecker(rt, chooseTrust(rt, status.trustJson()), status);
    // Only a gate or a window has a once-only step; loaded then, so a roadside start-up never
    // reads the station's store and its NATS client (a cold `verify` stays quick).
    if (rt.config.profile === 'gate' || rt.config.profile === 'window') {
      const { buildOnceOnly } = await import('../../app/once-only.js');
      once = buildOnceOnly(rt, {
        dryRun: opts.dryRun === true,
        // A failing store never changes the verdict; the operator of the command is told on stderr.
        onStoreFault: (f) => process.stderr.write(`roadscan: once-only record ${f.op} failed: ${f.message}\n`),
      });
    }
    const stage = once?.stage ?? null;
    const answer = async (line: string): Promise<ScanResult> => {
      const time = rt.time();
      const checked = checker.check(line, time);
      return stage ? await onceOnly(stage, checked, time.nowSec, opts.confirm === true) : checked;
    };
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
    await once?.close();
    rt.close();
  }
}

/** The once-only step, and with `--confirm` the clerk's confirm of the decision it leaves. */
async function onceOnly(stage: OnceOnlyStage, checked: ScanResult, nowSec: number, confirm: boolean): Promise<ScanResult> {
  const step = await stage.apply(checked, { scanId: newScanId(), nowSec });
  if (!confirm || step.decision?.kind !== 'voucher') return step.result;
  const outcome = await stage.decide(step.decision, 'confirm', nowSec);
  if (outcome.result !== 'voucher-already-issued') return step.result;
  // Another window swapped it between the look and the confirm: this swap did not happen.
  const reasons = [...new Set([...step.result.reasons, 'VOUCHER_ISSUED' as const])];
  return { ...step.result, verdict: 'reject', reasons: orderReasons(reasons) };
}
