/**
 * The options every command shares (docs/CLI.md): configuration, trust list, database, place
 * of use and the instant to evaluate at. They are handed to `app/` as they are.
 * @module
 */
import { Option, type Command } from 'commander';
import type { RuntimeOptions } from '../app/runtime-options.js';

export type CommonOptions = RuntimeOptions;

export function addCommonOptions(cmd: Command): Command {
  return cmd
    .option('--config <file>', 'configuration file (default config/default.json)')
    .option('--trust <file>', 'trust list, JSON (docs/CREDENTIALS.md section 5)')
    .option('--db <file>', 'the SQLite database')
    .addOption(new Option('--profile <profile>', 'place of use').choices(['roadside', 'window', 'gate']))
    .option('--region <code>', '6-digit region code of this scanner')
    .option('--station <code>', 'station code (gate and window profiles)')
    .option('--now <iso>', 'evaluate at this instant (taken as true) instead of the system clock');
}
