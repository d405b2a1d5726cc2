/**
 * The `roadscan` command line (docs/CLI.md). It only parses, calls the composition root
 * (`app/`) and prints. Each command registers itself from its own module; the simulator's
 * commands (`sim`, `demo`) come from `sim/` and are loaded only when one of them is asked for.
 * The program and its ending are in program.ts; `roadscan verify` alone starts from
 * verify-main.ts, which loads nothing but that command.
 * @module
 */
import type { Command } from 'commander';
import { createProgram, runProgram } from './program.js';
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

const program = createProgram();

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

await runProgram(program);
