/**
 * scripts/ sorted by what each file is (issue 25), checked on the tree so a new file lands in its
 * folder: deploy/ what ships to the device, build/ the build's steps and the generators of committed
 * files, bench/ every benchmark and the fuzzer, harness/ the rigs that tests and benchmarks share
 * (here and not under test/, because the build compiles scripts/ and not test/). Product code never
 * reaches into scripts/ or test/, and every path the installers and units name exists.
 */
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const SPEC = /(?:from\s+|import\s*\(\s*|import\s+)['"](\.{1,2}\/[^'"]+)['"]/g;
const FOLDERS = ['bench', 'build', 'deploy', 'harness'];

function files(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(join(root, dir), { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...files(p));
    else out.push(p);
  }
  return out;
}

/** Every relative import of the .ts and .mjs files under `dirs`, as [importer, imported] from the root. */
function imports(...dirs: string[]): [string, string][] {
  const out: [string, string][] = [];
  for (const file of dirs.flatMap(files).filter((f) => /\.(ts|mjs)$/.test(f))) {
    for (const m of readFileSync(join(root, file), 'utf8').matchAll(SPEC)) out.push([file, relative(root, resolve(root, dirname(file), m[1]!))]);
  }
  return out;
}

const within = (p: string, dir: string) => p.startsWith(`${dir}/`);
const arrows = (edges: [string, string][], wrong: (to: string, from: string) => boolean) => edges.filter(([f, t]) => wrong(t, f)).map(([f, t]) => `${f} -> ${t}`);

describe('scripts/ by what each file is', () => {
  it('holds nothing directly but its README, and only the folders deploy/, build/, bench/ and harness/', () => {
    const entries = readdirSync(join(root, 'scripts'), { withFileTypes: true });
    expect(entries.filter((e) => !e.isDirectory() && e.name !== 'README.md').map((e) => `scripts/${e.name}`)).toEqual([]);
    expect(entries.filter((e) => e.isDirectory() && !FOLDERS.includes(e.name)).map((e) => `scripts/${e.name}/`)).toEqual([]);
  });

  it('deploy/ holds what ships as it is (shell scripts and systemd units), and every one of those is in deploy/', () => {
    expect(files('scripts/deploy').filter((f) => !/\.(sh|service)$/.test(f))).toEqual([]);
    const elsewhere = [...files('scripts'), ...files('firmware-ts'), ...files('hal'), ...files('sim'), ...files('bin'), ...files('config')].filter(
      (f) => /\.(sh|service)$/.test(f) && !within(f, 'scripts/deploy'),
    );
    expect(elsewhere).toEqual([]);
  });

  it('bench/ holds every benchmark and the fuzzer', () => {
    expect(files('scripts').filter((f) => /\/(bench[^/]*|fuzz[^/]*)\.ts$/.test(f) && !within(f, 'scripts/bench'))).toEqual([]);
  });

  it('the harness is below what uses it: it imports no benchmark, build step or deploy file', () => {
    expect(arrows(imports('scripts/harness'), (t) => within(t, 'scripts') && !within(t, 'scripts/harness'))).toEqual([]);
  });
});

describe('product code and test code', () => {
  it('firmware-ts/, hal/ and sim/ import nothing from scripts/ or test/', () => {
    const edges = imports('firmware-ts', 'hal', 'sim');
    expect(edges.length).toBeGreaterThan(300);
    expect(arrows(edges, (t) => within(t, 'scripts') || within(t, 'test'))).toEqual([]);
  });

  it('scripts/ imports nothing from test/ (the build compiles scripts/, not test/)', () => {
    expect(arrows(imports('scripts'), (t) => within(t, 'test'))).toEqual([]);
  });
});

describe('the paths the device and the build are told exist', () => {
  it('every path a systemd unit names under /opt/roadscan is in the package', () => {
    const named = files('scripts/deploy')
      .filter((f) => f.endsWith('.service'))
      .flatMap((f) => [...readFileSync(join(root, f), 'utf8').matchAll(/\/opt\/roadscan\/([A-Za-z0-9_./-]+)/g)].map((m) => `${f}: ${m[1]}`));
    expect(named.length).toBeGreaterThan(1);
    expect(named.filter((n) => !existsSync(join(root, n.split(': ')[1]!)))).toEqual([]);
  });

  it('every file of the package the deploy scripts open by their own folder is there', () => {
    // Each script's name for the package root, or for its own folder (scripts/deploy/).
    const bases: Record<string, Record<string, string>> = {
      'install-pi.sh': { here: '.' },
      'nats-station-conf.sh': { here: '.' },
      'install-kiosk.sh': { here: 'scripts/deploy', package: '.' },
      'kiosk.sh': { here: 'scripts/deploy', root: '.' },
    };
    const missing: string[] = [];
    let seen = 0;
    for (const [script, vars] of Object.entries(bases)) {
      const text = readFileSync(join(root, 'scripts/deploy', script), 'utf8');
      for (const [name, base] of Object.entries(vars)) {
        for (const m of text.matchAll(new RegExp(`\\$${name}/((?:scripts|config|bin|roadscan)[A-Za-z0-9_./-]*)`, 'g'))) {
          seen++;
          if (!existsSync(join(root, base, m[1]!))) missing.push(`${script}: $${name}/${m[1]}`);
        }
      }
    }
    expect(seen).toBeGreaterThan(5);
    expect(missing).toEqual([]);
  });

  it('package.json and .ci/run name scripts that exist (dist/scripts/X.js from scripts/X.ts)', () => {
    const text = readFileSync(join(root, 'package.json'), 'utf8') + readFileSync(join(root, '.ci', 'run'), 'utf8');
    const named = [...text.matchAll(/(?:dist\/)?scripts\/[A-Za-z0-9_./-]+\.[a-z]+/g)].map((m) => m[0]);
    expect(named.length).toBeGreaterThan(3);
    const source = (p: string) => (p.startsWith('dist/') ? p.slice('dist/'.length).replace(/\.js$/, '.ts') : p);
    expect(named.filter((p) => !existsSync(join(root, source(p))))).toEqual([]);
  });
});
