/**
 * The house rules of the import graph (CONTRIBUTING.md, "Layout"), checked on the sources
 * themselves so they stay true: data flows one way, the composition root builds everything,
 * the hardware layer knows nothing of credentials, and the status list's two halves are used
 * only through their faces.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const SPEC = /(?:from\s+|import\s*\(\s*|import\s+)['"](\.{1,2}\/[^'"]+)['"]/g;

function sources(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(join(root, dir), { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...sources(p));
    else if (/\.(ts|mjs)$/.test(e.name)) out.push(p);
  }
  return out;
}

/** Every project import as [importer, imported], both relative to the repository root. */
const edges: [string, string][] = [];
for (const file of [...sources('firmware-ts'), ...sources('hal'), ...sources('sim'), ...sources('scripts')]) {
  const text = readFileSync(join(root, file), 'utf8');
  for (const m of text.matchAll(SPEC)) {
    const target = relative(root, resolve(root, dirname(file), m[1]!)).replace(/\.js$/, '.ts');
    edges.push([file, target]);
  }
}

const within = (p: string, dir: string) => p.startsWith(`${dir}/`);
/** A folder's face: its index.ts (hal/index.ts itself, or hal/<driver>/index.ts). */
const halFace = (p: string) => p === 'hal/index.ts' || /^hal\/[^/]+\/index\.ts$/.test(p);
const SCAN_PATH_FACE = 'firmware-ts/scan-path/index.ts';
const SIGNED_STORE_FACE = 'firmware-ts/signed-store/index.ts';
const violations = (rule: (from: string, to: string) => boolean) => edges.filter(([f, t]) => rule(f, t)).map(([f, t]) => `${f} -> ${t}`);

describe('the import graph', () => {
  it('sees the project (the rules below are not vacuous)', () => {
    expect(edges.length).toBeGreaterThan(300);
  });

  it('core/ imports nothing of the project', () => {
    expect(violations((f, t) => within(f, 'firmware-ts/core') && !within(t, 'firmware-ts/core'))).toEqual([]);
  });

  it('crypto/ (signature algorithms, below the codec) imports nothing of the project', () => {
    expect(violations((f, t) => within(f, 'firmware-ts/crypto') && !within(t, 'firmware-ts/crypto'))).toEqual([]);
    expect(edges.some(([f, t]) => within(f, 'firmware-ts/codec') && within(t, 'firmware-ts/crypto'))).toBe(true);
  });

  it('hal/ imports nothing from firmware-ts/ but core/', () => {
    expect(violations((f, t) => within(f, 'hal') && within(t, 'firmware-ts') && !within(t, 'firmware-ts/core'))).toEqual([]);
    expect(violations((f, t) => within(f, 'hal') && (within(t, 'sim') || within(t, 'scripts')))).toEqual([]);
  });

  it('only the command line imports cli/', () => {
    expect(violations((f, t) => within(t, 'firmware-ts/cli') && !within(f, 'firmware-ts/cli'))).toEqual([]);
  });

  it('nothing but app/ and cli/ imports app/ (the composition root is built upon, never built into)', () => {
    expect(
      violations((f, t) => within(t, 'firmware-ts/app') && !within(f, 'firmware-ts/app') && !within(f, 'firmware-ts/cli') && !within(f, 'sim') && !within(f, 'scripts')),
    ).toEqual([]);
  });

  it('status/list/ and status/sync/ are used only through their index.ts', () => {
    for (const half of ['firmware-ts/status/list', 'firmware-ts/status/sync']) {
      expect(violations((f, t) => within(t, half) && !within(f, half) && t !== `${half}/index.ts`)).toEqual([]);
    }
  });

  it('the appliance never loads the simulator', () => {
    expect(violations((f, t) => within(f, 'firmware-ts') && within(t, 'sim') && !(f === 'firmware-ts/cli/main.ts' && t === 'sim/cli/index.ts'))).toEqual([]);
  });

  it('scan-path/ is used only through its index.ts', () => {
    expect(violations((f, t) => within(t, 'firmware-ts/scan-path') && !within(f, 'firmware-ts/scan-path') && t !== SCAN_PATH_FACE)).toEqual([]);
  });

  it('service/ (the device loop) imports only the faces of scan-path/ and hal/', () => {
    expect(violations((f, t) => within(f, 'firmware-ts/service') && !within(t, 'firmware-ts/service') && t !== SCAN_PATH_FACE && !halFace(t))).toEqual([]);
  });

  it("screen/ and health/ take the scan path's event types, never the checker", () => {
    const checker = ['firmware-ts/scan', 'firmware-ts/codec', 'firmware-ts/verify', 'firmware-ts/policy', 'firmware-ts/station', 'firmware-ts/service'];
    for (const out of ['firmware-ts/screen', 'firmware-ts/health']) {
      expect(violations((f, t) => within(f, out) && checker.some((c) => within(t, c)))).toEqual([]);
    }
  });

  it('cli/ imports only app/, scan-path/, core/ and config/ (and sim/ only through its own registration)', () => {
    const allowed = ['firmware-ts/cli', 'firmware-ts/app', 'firmware-ts/scan-path', 'firmware-ts/core', 'firmware-ts/config'];
    const simRegistration = (f: string, t: string) => f === 'firmware-ts/cli/main.ts' && t === 'sim/cli/index.ts';
    expect(violations((f, t) => within(f, 'firmware-ts/cli') && !allowed.some((d) => within(t, d)) && !simRegistration(f, t))).toEqual([]);
  });

  it('signed-store/ is used only through its index.ts', () => {
    expect(violations((f, t) => within(t, 'firmware-ts/signed-store') && !within(f, 'firmware-ts/signed-store') && t !== SIGNED_STORE_FACE)).toEqual([]);
  });

  it('only signed-store/ reads or writes the held trust list and rules rows (status/list only creates them)', () => {
    const rows = /\b(rules_data|trust_json|trust_version|trust_sha256)\b/;
    const creates = 'firmware-ts/status/list/status-schema.ts';
    const outside = [...sources('firmware-ts'), ...sources('sim'), ...sources('scripts')].filter(
      (f) => !within(f, 'firmware-ts/signed-store') && f !== creates && rows.test(readFileSync(join(root, f), 'utf8')),
    );
    expect(outside).toEqual([]);
  });

  it('provision/ is used only through its index.ts, and never reaches up into app/ or cli/', () => {
    const face = 'firmware-ts/provision/index.ts';
    expect(violations((f, t) => within(t, 'firmware-ts/provision') && !within(f, 'firmware-ts/provision') && t !== face)).toEqual([]);
    expect(violations((f, t) => within(f, 'firmware-ts/provision') && (within(t, 'firmware-ts/app') || within(t, 'firmware-ts/cli')))).toEqual([]);
  });
});
