/**
 * The options every entry point may give the composition root (docs/CLI.md, common options):
 * plain values, so the command line, the simulator and the benchmarks build the same runtime.
 * @module
 */

export interface RuntimeOptions {
  /** Configuration file (default config/default.json). */
  config?: string;
  /** A trust list file that takes the place of the configured `trustFile`. */
  trust?: string;
  /** The SQLite database file. */
  db?: string;
  profile?: string;
  region?: string;
  station?: string;
  /** Evaluate at this ISO-8601 instant, taken as true (docs/DESIGN.md, clock floor). */
  now?: string;
  /**
   * A command that only reads: the database is never created. `true`: a missing one is a
   * SetupError naming it; `'or-empty'`: an empty one in memory stands in (`Runtime.dbMissing`).
   */
  existingDb?: boolean | 'or-empty';
}
