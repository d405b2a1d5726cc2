/**
 * `roadscan verify ...` starts from an entry of its own (cli/verify-main.ts, a bundle that loads
 * only that command, for its cold start); the whole command line answers the same command the
 * same way. Both are run as real processes from bin/roadscan.js: the help, a bad option and a bad
 * configuration give the same streams and exit status whichever entry served them.
 */
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';

describe('roadscan verify from its own entry answers as the whole command line', () => {
  it('help, a bad option, a bad configuration', async () => {
    // `help verify` goes through the whole command line; `verify --help` through verify's own entry.
    const whole = await runCli(['help', 'verify']);
    const alone = await runCli(['verify', '--help']);
    expect(alone).toEqual(whole);
    expect(alone.stdout).toMatch(/^Usage: roadscan verify \[options\] \[text\]/);

    const bad = await runCli(['verify', '--bogus']);
    expect(bad).toEqual({ code: 2, stdout: '', stderr: expect.stringMatching(/^error: unknown option '--bogus'\n/) });

    const noConfig = await runCli(['verify', '--config', '/nonexistent/roadscan.json', 'RS1:x']);
    expect(noConfig).toEqual({ code: 2, stdout: '', stderr: 'roadscan: config /nonexistent/roadscan.json: cannot read: ENOENT\n' });
  });
});
