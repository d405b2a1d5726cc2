/**
 * What people expect of a system tool, through the built binary: a typo gets "did you mean",
 * `--help` shows examples and exit statuses, and the demo ends quietly and removes its temporary
 * folder (test keys included) when its reader goes away (`| head -3`, EPIPE) or its terminal
 * closes (SIGHUP). Each demo gets free ports of its own (`ownPorts`): on the default 8480 and 9464,
 * a demo or service of another test running at the same time makes it say on standard error that
 * its screen and health endpoint could not listen (the cause of this file's one failure under load).
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { BIN } from '../helpers/cli.js';

/** A configuration giving the demo free ports of its own (0: the system picks). */
function ownPorts(): { file: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'roadscan-habits-'));
  const file = join(dir, 'config.json');
  writeFileSync(file, JSON.stringify({ screen: { port: 0 }, health: { port: 0 } }));
  return { file, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

describe('roadscan on the command line', () => {
  it('suggests the command or option meant, on two lines, exit 2', () => {
    const cmd = spawnSync(process.execPath, [BIN, 'verfy', 'x'], { encoding: 'utf8' });
    expect(cmd.status).toBe(2);
    expect(cmd.stderr).toBe("error: unknown command 'verfy'\n(Did you mean verify?)\n");
    const opt = spawnSync(process.execPath, [BIN, 'run', '--scaner', 'x'], { encoding: 'utf8' });
    expect(opt.status).toBe(2);
    expect(opt.stderr).toBe("error: unknown option '--scaner'\n(Did you mean --scanner?)\n");
  });

  it('--help shows examples and the exit statuses', () => {
    const help = spawnSync(process.execPath, [BIN, '--help'], { encoding: 'utf8' });
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/^Examples:$/m);
    expect(help.stdout).toMatch(/^Exit status: 0 success/m);
  });

  it('demo | head -3 ends quietly, exit 0, its folder gone', () => {
    // The demo's own temporary folder goes under a fresh TMPDIR, so its removal can be seen.
    const tmp = mkdtempSync(join(tmpdir(), 'roadscan-epipe-'));
    const config = ownPorts();
    try {
      const res = spawnSync(
        'bash',
        ['-c', `set -o pipefail; '${process.execPath}' '${BIN}' demo --config '${config.file}' 2>'${tmp}.err' | head -3; echo "rc=$?"; cat '${tmp}.err' >&2`],
        {
          encoding: 'utf8',
          env: { ...process.env, TMPDIR: tmp },
          timeout: 60_000,
        },
      );
      expect(res.stdout).toMatch(/^roadscan demo: /);
      expect(res.stdout).toContain('rc=0\n');
      expect(res.stderr).toBe('');
      expect(readdirSync(tmp)).toEqual([]);
    } finally {
      rmSync(tmp, { recursive: true, force: true });
      rmSync(`${tmp}.err`, { force: true });
      config.remove();
    }
  });

  it('SIGHUP ends the demo and removes its temporary folder', async () => {
    const config = ownPorts();
    onTestFinished(config.remove);
    const child = spawn(process.execPath, [BIN, 'demo', '--gap', '2000', '--config', config.file], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    const dir = await new Promise<string>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`no folder line: ${out}`)), 30_000);
      child.stdout!.on('data', (d: Buffer) => {
        out += d.toString();
        const m = /database \(test keys only\): (\S+)/.exec(out);
        if (m) {
          clearTimeout(t);
          resolve(m[1]!);
        }
      });
    });
    expect(existsSync(dir)).toBe(true);
    child.kill('SIGHUP');
    const code = await new Promise<number | null>((r) => child.once('exit', r));
    expect(code).toBe(0);
    expect(existsSync(dir)).toBe(false);
    expect(err).toBe('');
  });
});
