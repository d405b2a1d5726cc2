/**
 * The mtime check that decides whether the vitest global setup rebuilds dist/, on a small tree of its own.
 * @module
 */
import { mkdirSync, mkdtempSync, renameSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { staleReason } from './build-if-stale.js';

describe('the build-if-stale check of the vitest global setup', () => {
  let root: string;
  const at = (path: string, seconds: number) => utimesSync(join(root, path), seconds, seconds);

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'roadscan-stale-'));
    mkdirSync(join(root, 'src', 'inner'), { recursive: true });
    mkdirSync(join(root, 'dist'));
    writeFileSync(join(root, 'src', 'inner', 'a.ts'), 'a');
    writeFileSync(join(root, 'src', 'b.ts'), 'b');
    writeFileSync(join(root, 'dist', 'main.js'), 'built');
    for (const p of ['src/inner/a.ts', 'src/b.ts', 'src/inner', 'src']) at(p, 1_000);
    at('dist/main.js', 2_000);
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  const stale = () => staleReason(root, ['src'], join('dist', 'main.js'));

  it('finds nothing to do when the output is newer than every input', () => {
    expect(stale()).toBeNull();
  });

  it('rebuilds when the output is missing', () => {
    rmSync(join(root, 'dist', 'main.js'));
    expect(stale()).toMatch(/does not exist/);
  });

  it('rebuilds when a file deep in an input folder was edited after the build', () => {
    at('src/inner/a.ts', 3_000);
    expect(stale()).toBe(`src/ changed after ${join('dist', 'main.js')} was built`);
  });

  it('rebuilds when a file was moved or deleted (its folder changed), even though no file is newer', () => {
    renameSync(join(root, 'src', 'b.ts'), join(root, 'src', 'inner', 'b.ts'));
    at('src/inner/b.ts', 1_000);
    expect(stale()).not.toBeNull();
  });
});
