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
      if (problems.length === 0) process.stdout.write('ok\n');
      else process.stderr.write(problems.map((p) => `${p}\n`).join(''));
      process.exitCode = problems.length === 0 ? 0 : 2;
    });
}

/** Every problem of a configuration file, one line each; empty when it is fine. */
export async function checkConfigFile(file: string | undefined): Promise<string[]> {
  const [{ readFileSync }, { relative }, { ConfigError, loadConfig }, { DEFAULT_CONFIG_FILE }, { safeLogText }] = await Promise.all([
    import('node:fs'),
    import('node:path'),
    import('../../config/load.js'),
    import('../../paths.js'),
    import('../../log/log-safety.js'),
  ]);
  const target = file ?? DEFAULT_CONFIG_FILE;
  const shown = relative(process.cwd(), target) || target;
  const line = (problem: string) => safeLogText(`${shown}: ${problem}`);
  let loaded;
  try {
    loaded = await loadConfig(target);
  } catch (err) {
    // One line per problem, also when one issue lists several unknown keys.
    if (err instanceof ConfigError) return err.problems.flatMap((p) => p.split('; ')).map(line);
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
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (err) {
      problems.push(line(`${key}: cannot read ${path} (${(err as NodeJS.ErrnoException).code ?? 'error'})`));
      continue;
    }
    try {
      JSON.parse(text);
    } catch {
      problems.push(line(`${key}: expected a JSON file, ${path} is not valid JSON`));
    }
  }
  const { readUploadTls, UploadIdentityError } = await import('../../audit/upload-identity.js');
  const tlsFile = (f: string | null) => (f === null ? null : loaded.resolvePath(f));
  try {
    readUploadTls({ caFile: tlsFile(config.audit.uploadCaFile), certFile: tlsFile(config.audit.uploadCertFile), keyFile: tlsFile(config.audit.uploadKeyFile) });
  } catch (err) {
    if (!(err instanceof UploadIdentityError)) throw err;
    problems.push(line(err.message));
  }
  return problems;
}
