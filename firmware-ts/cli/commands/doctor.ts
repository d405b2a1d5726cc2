/**
 * `roadscan doctor`: is this device ready to scan, and if not, what to fix. One line per check
 * (app/doctor/: configuration, database, trust anchor, status list age, rules data, serial device
 * and its permissions, GPIO lines, clock, screen and health ports), each `ok`, `FIX` with what to
 * do, `WARN` or `note`; `--json` prints the same as one object. Only the hardware asked for is
 * checked. Nothing is created: a missing database is a `FIX`. Exit 0 when nothing needs fixing,
 * 1 otherwise, 2 when the configuration cannot even be read.
 * @module
 */
import { Option, type Command } from 'commander';
import { addCommonOptions, type CommonOptions } from '../common-options.js';

interface DoctorCliOptions extends CommonOptions {
  hal: 'sim' | 'pi';
  scanner?: string;
  json?: boolean;
}

const LABEL = { ok: 'ok  ', fix: 'FIX ', warn: 'WARN', note: 'note' } as const;

export function register(program: Command): void {
  addCommonOptions(
    program
      .command('doctor')
      .description('check that this device is ready to scan and say what to fix, one line each (exit 0 healthy, 1 problems)')
      .addOption(
        new Option('--hal <kind>', 'hardware to check: pi (serial scanner, GPIO) or sim (no GPIO; a serial device only with --scanner)')
          .choices(['sim', 'pi'])
          .default('pi'),
      )
      .option('--scanner <path>', 'serial device of the scanner; overrides scanner.path')
      .option('--json', 'print {"ok":BOOL,"checks":[{"name","state":"ok|fix|warn|note","detail"}]}'),
  ).action(async (opts: DoctorCliOptions) => {
    const { runDoctor } = await import('../../app/doctor/index.js');
    const report = await runDoctor(opts);
    process.exitCode = report.ok ? 0 : 1;
    if (opts.json) process.stdout.write(`${JSON.stringify(report)}\n`);
    else process.stdout.write(report.checks.map((c) => `${LABEL[c.state]} ${c.name}: ${c.detail}\n`).join(''));
  });
}
