/**
 * `roadscan config check [FILE]`: validates a configuration file before it is deployed.
 * Prints `ok` (exit 0), or one line per problem on standard error, each naming the key and what
 * was expected (exit 2). Beyond the schema it checks that the files the configuration names can
 * be read, so a technician learns about a missing trust list at the bench, not at the roadside.
 * @module
 */
import type { Command } from 'commander';

export function register(program: Command): void {
  program
    .command('config')
    .description('configuration tools')
    .command('check')
    .description('validate a configuration file: "ok", or one line per problem naming the key (exit 2)')
    .argument('[file]', 'the configuration file (default config/default.json)')
    .action(async (file: string | undefined) => {
      const problems = await checkConfigFile(file);
      if (problems.length === 0) {
        process.stdout.write('ok\n');
        // Not problems: a number laxer than the policy in force is valid, it just does not apply.
        const notes = await laxerThanPolicy(file);
        if (notes.length > 0) process.stderr.write(notes.map((n) => `${n}\n`).join(''));
      } else process.stderr.write(problems.map((p) => `${p}\n`).join(''));
      process.exitCode = problems.length === 0 ? 0 : 2;
    });
}

/**
 * One line (`FILE: warning: KEY: ...`) per configured number laxer than the policy the device
 * holds (its database's synced policy, else the shipped defaults): the stricter holds, so that
 * value does not apply. Only for a file that passed its check.
 */
export async function laxerThanPolicy(file: string | undefined): Promise<string[]> {
  const [{ relative, resolve }, { loadConfig }, { DEFAULT_CONFIG_FILE, DEFAULT_DB_FILE }, { safeLogText }, { heldPolicy, policyInForce, describeLaxer }] =
    await Promise.all([
      import('node:path'),
      import('../../config/load.js'),
      import('../../app/index.js'),
      import('../../core/text-safety.js'),
      import('../../app/policy-in-force.js'),
    ]);
  const target = file ?? DEFAULT_CONFIG_FILE;
  const shown = relative(process.cwd(), target) || target;
  const loaded = await loadConfig(target);
  const dbFile = loaded.config.db ? loaded.resolvePath(loaded.config.db) : resolve(DEFAULT_DB_FILE);
  const p = policyInForce(loaded.config, heldPolicy(dbFile));
  return p.laxer.map((l) => safeLogText(`${shown}: warning: ${describeLaxer(l, p.policy.version)}`));
}

/** Largest file whose text is scanned for line and column (loadConfig refuses larger ones anyway). */
const MAX_POSITION_BYTES = 1 << 20;

/**
 * Every problem of a configuration file, one line each (`FILE:LINE:COLUMN: path.to.key: message`,
 * or `FILE: message` when the problem has no place in the text); empty when it is fine.
 */
export async function checkConfigFile(file: string | undefined): Promise<string[]> {
  const [{ readFileSync, statSync }, { relative }, { ConfigError, loadConfig }, { describeProblem }, { locate, positionAt }, { DEFAULT_CONFIG_FILE }, { safeLogText }] =
    await Promise.all([
      import('node:fs'),
      import('node:path'),
      import('../../config/load.js'),
      import('../../config/config-error.js'),
      import('../../config/json-position.js'),
      import('../../app/index.js'),
      import('../../core/text-safety.js'),
    ]);
  const target = file ?? DEFAULT_CONFIG_FILE;
  const shown = relative(process.cwd(), target) || target;
  // The text, for positions only: bounded, and a file that cannot be read simply has none.
  let text: string | null = null;
  try {
    if (statSync(target).size <= MAX_POSITION_BYTES) text = readFileSync(target, 'utf8');
  } catch {
    text = null;
  }
  /** `FILE:LINE:COLUMN: ` for a path (or an offset) found in the text, else `FILE: `; every line made safe. */
  const where = (path: readonly (string | number)[] | null, opts: { offset?: number; atKey?: boolean } = {}): string => {
    let offset = opts.offset ?? null;
    if (offset === null && path !== null && text !== null) {
      const found = locate(text, path);
      // A key that is missing points at the object that misses it.
      if (found) offset = opts.atKey && found.found === path.length && found.keyOffset !== null ? found.keyOffset : found.valueOffset;
    }
    if (offset === null || text === null) return `${shown}: `;
    const { line, column } = positionAt(text, offset);
    return `${shown}:${line}:${column}: `;
  };
  const line = (path: readonly (string | number)[] | null, problem: string) => safeLogText(`${where(path)}${problem}`);
  let loaded;
  try {
    loaded = await loadConfig(target);
  } catch (err) {
    // One line per problem, also when one issue lists several unknown keys.
    if (err instanceof ConfigError) {
      return err.details.map((d) =>
        safeLogText(`${where(d.path, { ...(d.offset === undefined ? {} : { offset: d.offset }), ...(d.atKey ? { atKey: true } : {}) })}${describeProblem(d)}`),
      );
    }
    throw err;
  }
  const { config } = loaded;
  const problems: string[] = [];
  const files: [string, string | null][] = [
    ['trustFile', config.trustFile],
    ['adoptionFile', config.adoptionFile],
    ['calendarFile', config.calendarFile],
  ];
  for (const [key, value] of files) {
    if (value === null) continue;
    const path = loaded.resolvePath(value);
    let content: string;
    try {
      content = readFileSync(path, 'utf8');
    } catch (err) {
      problems.push(line([key], `${key}: cannot read ${path} (${(err as NodeJS.ErrnoException).code ?? 'error'})`));
      continue;
    }
    try {
      JSON.parse(content);
    } catch {
      problems.push(line([key], `${key}: expected a JSON file, ${path} is not valid JSON`));
    }
  }
  const { readUploadTls, UploadIdentityError } = await import('../../app/audit-tools.js');
  const tlsFile = (f: string | null) => (f === null ? null : loaded.resolvePath(f));
  try {
    readUploadTls({ caFile: tlsFile(config.audit.uploadCaFile), certFile: tlsFile(config.audit.uploadCertFile), keyFile: tlsFile(config.audit.uploadKeyFile) });
  } catch (err) {
    if (!(err instanceof UploadIdentityError)) throw err;
    // Its message starts with the key it is about (`audit.uploadCaFile: ...`).
    const key = /^([A-Za-z]+(?:\.[A-Za-z]+)*): /.exec(err.message)?.[1];
    problems.push(line(key ? key.split('.') : null, err.message));
  }
  return problems;
}
