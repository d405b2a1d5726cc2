/**
 * The `roadscan` command line (spec/CLI.md). Each command registers itself from its own
 * module; usage errors print one line and exit with status 2, never a stack trace.
 * @module
 */
import { Command, CommanderError } from 'commander';
import { register as registerAudit } from './commands/audit.js';
import { register as registerConfig } from './commands/config.js';
import { register as registerDecodeImage } from './commands/decode-image.js';
import { register as registerDemo } from './commands/demo.js';
import { register as registerRun } from './commands/run.js';
import { register as registerSim } from './commands/sim.js';
import { register as registerStatus } from './commands/status.js';
import { register as registerSync } from './commands/sync.js';
import { register as registerVerify } from './commands/verify.js';
import { UsageError } from './usage-error.js';

const program = new Command('roadscan')
  .description('offline verifier for e-driving licences, e-registrations and road passenger e-tickets')
  .version('0.1.0')
  .exitOverride()
  .configureOutput({ outputError: (text, write) => write(text.split('\n')[0]! + '\n') });

registerVerify(program);
registerSim(program);
registerSync(program);
registerStatus(program);
registerConfig(program);
registerAudit(program);
registerRun(program);
registerDemo(program);
registerDecodeImage(program);

function fail(message: string): void {
  process.stderr.write(`roadscan: ${message.replace(/[\u0000-\u001f\u007f]/g, ' ')}\n`);
  process.exitCode = 2;
}

try {
  await program.parseAsync(process.argv);
} catch (err) {
  if (err instanceof CommanderError) {
    process.exitCode = err.exitCode === 0 ? 0 : 2;
  } else if (err instanceof UsageError) {
    fail(err.message);
  } else {
    fail(`internal error: ${(err as Error)?.message ?? String(err)}`);
  }
}
