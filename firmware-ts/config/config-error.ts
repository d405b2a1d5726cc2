/**
 * The error of a configuration that cannot be used, in a module of its own so that the quick
 * path of loading (fast-check.ts) and the zod schema's full check (parse.ts) share it without
 * one loading the other.
 * @module
 */

/** A configuration that cannot be used; `message` is one line (or one line per problem). */
export class ConfigError extends Error {
  readonly problems: string[];
  constructor(file: string, problems: string[]) {
    super(`${file}: ${problems.join('; ')}`);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}
