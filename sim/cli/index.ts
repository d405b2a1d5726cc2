/**
 * The simulator's commands, registered beside the appliance's and loaded only when one of them
 * is used: `roadscan sim ...` (the test authority, status lists, the audit collector) and
 * `roadscan demo` (the appliance against the simulated hardware). The appliance's own code
 * path never loads the test authority.
 * @module
 */
import type { Command } from 'commander';
import { register as registerDemo } from './demo-command.js';
import { register as registerSim } from './sim-command.js';

/** The top-level commands this module registers (the CLI loads it only for these). */
export const SIMULATOR_COMMANDS: readonly string[] = ['sim', 'demo'];

export function registerSimulator(program: Command): void {
  registerSim(program);
  registerDemo(program);
}
