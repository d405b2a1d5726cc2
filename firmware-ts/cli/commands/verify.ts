/**
 * `roadscan verify [TEXT]`: one QR text from the argument, or one per standard-input line,
 * each answered in order (docs/CLI.md).
 * @module
 */
import type { Command } from 'commander';
import { MAX_QR_TEXT } from '../../codec/qr-text.js';
import { addCommonOptions, type CommonOptions } from '../common-options.js';
import { buildChecker, chooseTrust, openRuntime } from '../../app/index.js';
import { exitCodeOf, resultJson, resultLine } from '../format-result.js';
import { readLines } from '../line-reader.js';
import { openStatusSource } from '../../app/index.js';

interface VerifyOptions extends CommonOptions {
  json?: boolean;
}

export function register(program: Command): void {
  addCommonOptions(
    program
      .command('verify')
      .description('verify one QR text, or one per line of standard input')
      .argument('[text]', 'the QR text (RS1:...); omit to read standard input')
      .option('--json', 'print one JSON object per input'),
  ).action(async (text: string | undefined, opts: VerifyOptions) => {
    process.exitCode = await runVerify(text, opts);
  });
}

async function runVerify(text: string | undefined, opts: VerifyOptions): Promise<number> {
  const rt = openRuntime(opts);
  try {
    const status = openStatusSource(rt);
    const checker = buildChecker(rt, chooseTrust(rt, status.trustJson()), status);
    const format = opts.json ? (r: Parameters<typeof resultJson>[0]) => resultJson(r) : resultLine;
    if (text !== undefined) {
      const result = checker.check(text, rt.time());
      process.stdout.write(`${format(result)}\n`);
      return exitCodeOf(result);
    }
    // A line longer than any valid code only needs its beginning to be answered MALFORMED.
    for await (const batch of readLines(process.stdin, MAX_QR_TEXT + 1)) {
      let out = '';
      for (const line of batch) out += `${format(checker.check(line.text, rt.time()))}\n`;
      if (!process.stdout.write(out)) await new Promise((r) => process.stdout.once('drain', r));
    }
    return 0;
  } finally {
    rt.close();
  }
}
