#!/usr/bin/env node
// Runs before `npm test`: installs what the suite needs and is missing, then builds the CLI.
// The system packages are listed once, in scripts/build/system-packages.txt (.ci/run reads the same
// file); apt-get installs the missing ones when we are root, otherwise we say the one line to run.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const has = (cmd) => spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
const run = (cmd, args) => execFileSync(cmd, args, { cwd: root, stdio: 'inherit' });

/** [command, package] of each line of scripts/build/system-packages.txt (comments and blank lines skipped). */
const listed = readFileSync(join(root, 'scripts', 'build', 'system-packages.txt'), 'utf8')
  .split('\n')
  .map((line) => line.replace(/#.*/, '').trim())
  .filter((line) => line !== '')
  .map((line) => line.split(/\s+/));
const systemNeeds = listed.filter(([cmd]) => !has(cmd));

if (systemNeeds.length) {
  const pkgs = [...new Set(systemNeeds.map(([, pkg]) => pkg))];
  if (process.getuid?.() === 0 && has('apt-get')) {
    console.log(`pretest: installing ${pkgs.join(' ')} with apt-get`);
    run('apt-get', ['update', '-qq']);
    run('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...pkgs]);
  } else {
    console.error(`pretest: missing system packages; run: sudo apt-get install -y ${pkgs.join(' ')}`);
    process.exit(1);
  }
}

if (!existsSync(join(root, 'node_modules', '.package-lock.json'))) {
  console.log('pretest: installing npm packages');
  run('npm', ['install', '--no-audit', '--no-fund']);
}

run('npm', ['run', '--silent', 'build']);
