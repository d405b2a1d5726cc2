/**
 * The `roadscan` command line (docs/CLI.md). It only parses, calls the composition root
 * (`app/`) and prints. Each command registers itself from its own module; the simulator's
 * commands (`sim`, `demo`) come from `sim/` and are loaded only when one of them is asked for.
 * A set-up problem (`SetupError`, `UsageError`) prints one line and exits with status 2, never
 * a stack trace.
 * @module
 */
import { Command, CommanderError } from 'commander';
import { SetupError } from '../app/setup-error.js';
import { oneLine } from '../core/text-safety.js';
import { register as registerAudit } from './commands/audit.js';
import { register as registerConfig } from './commands/config.js';
import { register as registerDecodeImage } from './commands/decode-image.js';
import { register as registerDoctor } from './commands/doctor.js';
import { register as registerProvision } from './commands/provision.js';
import { register as registerRun } from './commands/run.js';
import { register as registerScanner } from './commands/scanner.js';
import { register as registerStatus } from './commands/status.js';
import { register as registerSync } from './commands/sync.js';
import { register as registerVerify } from './commands/verify.js';

const program = new Command('roadscan')
  .description('offline verifier for e-driving licences, e-registrations and road passenger e-tickets')
  .version('0.1.0')
  .exitOverride()
  .showSuggestionAfterError(true)
  // Every line of commander's error (the "Did you mean ...?" hint is the second), each made safe:
  // the unknown word comes from the command line and may hold control characters.
  .configureOutput({
    outputError: (text, write) =>
      write(
        text
          .split('\n')
          .filter((l) => l.trim() !== '')
          .slice(0, 4)
          .map((l) => oneLine(l, 300))
          .join('\n') + '\n',
      ),
  })
  .addHelpText(
    'after',
    `
Examples:
  roadscan verify 'RS1:...'                  check one code now (exit 0 accept, 3 warn, 1 reject)
  roadscan run --hal pi                      the appliance service, as roadscan.service runs it
  roadscan run --hal sim --scanner pty       the service against a simulated scanner
  roadscan sync && roadscan status           fetch the status list, then show its age
  roadscan config check /etc/roadscan/config.json
  roadscan provision --config /etc/roadscan/config.json --trust trust.json --status-url https://status.example/
                                             first trust anchor, one sync, done only once it scans
  roadscan demo                              the whole appliance against the simulator

Exit status: 0 success (verify: accept); verify 3 warn, 1 reject; sync 1 failed; provision 1 not
done (sync failed or the service does not scan); 2 a usage or set-up error (a bad option, configuration, trust file or database), one line on stderr.
Details: docs/CLI.md.`,
  );

registerVerify(program);
await registerSimulatorCommands(program, process.argv.slice(2));
registerSync(program);
registerStatus(program);
registerConfig(program);
registerAudit(program);
registerRun(program);
registerScanner(program);
registerDoctor(program);
registerDecodeImage(program);
registerProvision(program);

/** The simulator's commands in full when asked for, else one line each for `--help`. */
async function registerSimulatorCommands(into: Command, args: string[]): Promise<void> {
  const first = args.find((a) => !a.startsWith('-'));
  if (first === 'sim' || first === 'demo' || (first === 'help' && (args.includes('sim') || args.includes('demo')))) {
    const { registerSimulator } = await import('../../sim/cli/index.js');
    registerSimulator(into);
    return;
  }
  into.command('sim').description('the simulator and test authority (test keys only); `roadscan sim --help` for its commands');
  into.command('demo').description('the whole appliance against the simulator: a scripted roadside scenario, then paste codes (npm start)');
}

function fail(message: string): void {
  process.stderr.write(`roadscan: ${oneLine(message, 500)}\n`);
  process.exitCode = 2;
}

try {
  await program.parseAsync(process.argv);
} catch (err) {
  if (err instanceof CommanderError) {
    process.exitCode = err.exitCode === 0 ? 0 : 2;
  } else if (err instanceof SetupError) {
    fail(err.message);
  } else {
    fail(`internal error: ${(err as Error)?.message ?? String(err)}`);
  }
}
