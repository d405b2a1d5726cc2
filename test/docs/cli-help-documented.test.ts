/**
 * docs/CLI.md and the help of the built CLI name the same options: every long option that
 * `roadscan <command> --help` lists is described in docs/CLI.md (in the contract or in an
 * "In roadscan:" paragraph), and every key `sync --help` promises in its JSON is there too. An
 * option added to the code without a word in docs/ fails here, naming the command and the option.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PACKAGE_ROOT } from '../../firmware-ts/paths.js';
import { runCli } from '../helpers/cli.js';

const CLI_DOC = readFileSync(join(PACKAGE_ROOT, 'docs', 'CLI.md'), 'utf8');
const COMMANDS = ['verify', 'decode-image', 'sync', 'status', 'run', 'provision', 'audit export', 'audit verify'] as const;

/** The long options a help text lists, without commander's own `--help`. */
const longOptions = (help: string) => [...new Set([...help.matchAll(/(?<![\w-])--[a-z][a-z-]*/g)].map((m) => m[0]))].filter((o) => o !== '--help');
/** Whether docs/CLI.md names `option` as a whole word (not `--db` inside `--dbx`). */
const documented = (option: string) => new RegExp(`(?<![\\w-])${option}(?![\\w-])`).test(CLI_DOC);

describe('docs/CLI.md describes what roadscan --help lists', () => {
  it.each(COMMANDS)('roadscan %s: every option of its help', async (command) => {
    const res = await runCli([...command.split(' '), '--help'], { timeoutMs: 20_000 });
    expect(res.code).toBe(0);
    const options = longOptions(res.stdout);
    expect(options.length).toBeGreaterThan(0);
    expect(
      options.filter((o) => !documented(o)),
      `options of roadscan ${command} --help that docs/CLI.md does not describe`,
    ).toEqual([]);
  });

  it('roadscan sync --json: every key its help promises', async () => {
    const help = (await runCli(['sync', '--help'], { timeoutMs: 20_000 })).stdout;
    const keys = /print \{([^}]*)\} as JSON/.exec(help.replace(/\s+/g, ' '))?.[1]?.match(/"[a-zA-Z]+"/g) ?? [];
    expect(keys).toContain('"rules"');
    expect(
      keys.filter((k) => !CLI_DOC.includes(k)),
      'JSON keys of sync --help missing from docs/CLI.md',
    ).toEqual([]);
  });
});
