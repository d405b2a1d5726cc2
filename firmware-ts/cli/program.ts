/**
 * The `roadscan` program itself (docs/CLI.md): its name, help, and how it ends. A set-up problem
 * (`SetupError`, `UsageError`) prints one line and exits with status 2, never a stack trace.
 * Shared by the whole command line (main.ts) and the entry that serves `roadscan verify` alone
 * (verify-main.ts), so both answer alike.
 * @module
 */
import { Command, CommanderError } from 'commander';
import { SetupError } from '../app/setup-error.js';
import { oneLine } from '../core/text-safety.js';

/** The root command, with no subcommand yet. */
export function createProgram(): Command {
  return (
    new Command('roadscan')
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
      )
  );
}

function fail(message: string): void {
  process.stderr.write(`roadscan: ${oneLine(message, 500)}\n`);
  process.exitCode = 2;
}

/**
 * A reader that went away (`roadscan ... | head -1`) ends the command at once and quietly, with the
 * status it had earned so far (a verdict's status is set before its line is written), never an
 * EPIPE stack. A command that cleans up after itself on a closed pipe (the demo removes its
 * folder) installs its own handler; then this one stands back.
 */
export function endQuietlyOnClosedPipe(stream: NodeJS.WriteStream = process.stdout): void {
  const onError = (err: NodeJS.ErrnoException): void => {
    if (stream.listenerCount('error') > 1) return;
    if (err.code === 'EPIPE') process.exit();
    process.stderr.write(`roadscan: standard output: ${oneLine(err.code ?? err.message, 200)}\n`);
    process.exit(2);
  };
  stream.on('error', onError);
}

/** Parses the command line and runs the command; every error ends as one line and an exit status. */
export async function runProgram(program: Command, argv: readonly string[] = process.argv): Promise<void> {
  endQuietlyOnClosedPipe();
  try {
    await program.parseAsync([...argv]);
  } catch (err) {
    if (err instanceof CommanderError) {
      process.exitCode = err.exitCode === 0 ? 0 : 2;
    } else if (err instanceof SetupError) {
      fail(err.message);
    } else {
      fail(`internal error: ${(err as Error)?.message ?? String(err)}`);
    }
  }
}
