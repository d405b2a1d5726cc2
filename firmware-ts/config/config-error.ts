/**
 * The error of a configuration that cannot be used, in a module of its own so that the quick
 * path of loading (fast-check.ts) and the zod schema's full check (parse.ts) share it without
 * one loading the other. Each problem keeps its key path (and, for a JSON syntax error, its
 * offset in the text), so `roadscan config check` can say the line and column to fix.
 * @module
 */

/** One problem of a configuration file. */
export interface ConfigProblem {
  /** The key path (object keys and array indexes; [] the whole document); null: the file itself (unreadable, too large, not JSON). */
  path: readonly (string | number)[] | null;
  message: string;
  /** Where in the text the problem is, when known without the path (a JSON syntax error). */
  offset?: number;
  /** Point at the key rather than its value (an unknown key). */
  atKey?: boolean;
}

/** `path: message`, `(top level): message`, or the message alone for the file itself. */
export function describeProblem(p: ConfigProblem): string {
  if (p.path === null) return p.message;
  return `${p.path.map(String).join('.') || '(top level)'}: ${p.message}`;
}

/** A configuration that cannot be used; `message` is one line (or one line per problem). */
export class ConfigError extends Error {
  /** One line per problem, `path: message`. */
  readonly problems: string[];
  readonly details: readonly ConfigProblem[];
  constructor(file: string, problems: (string | ConfigProblem)[]) {
    const details = problems.map((p): ConfigProblem => (typeof p === 'string' ? { path: null, message: p } : p));
    const lines = details.map(describeProblem);
    super(`${file}: ${lines.join('; ')}`);
    this.name = 'ConfigError';
    this.problems = lines;
    this.details = details;
  }
}
