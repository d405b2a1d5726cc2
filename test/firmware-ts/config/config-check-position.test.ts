/**
 * `roadscan config check` points at the place to fix: `FILE:LINE:COLUMN: path.to.key: message`
 * on real files written as technicians write them (indented, several lines), the line and column
 * of a JSON syntax error, "did you mean" for a mistyped key, control characters shown safely;
 * and the small pieces it is made of (the JSON position scan, the did-you-mean rule).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkConfigFile } from '../../../firmware-ts/cli/commands/config.js';
import { locate, positionAt } from '../../../firmware-ts/config/json-position.js';
import { didYouMean, editDistance } from '../../../firmware-ts/core/did-you-mean.js';
import { runCli } from '../../helpers/cli.js';

let dir: string;
let n = 0;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'roadscan-config-pos-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(content: string): { path: string; shown: string } {
  const path = join(dir, `c${n++}.json`);
  writeFileSync(path, content);
  return { path, shown: relative(process.cwd(), path) };
}

describe('roadscan config check: line and column', () => {
  it('a bad value deep in the file: the line and column of the value', async () => {
    const f = file(['{', '  "profile": "roadside",', '  "audit": {', '    "retentionDays": 0', '  }', '}', ''].join('\n'));
    expect(await checkConfigFile(f.path)).toEqual([`${f.shown}:4:22: audit.retentionDays: Too small: expected number to be >=1`]);
  });

  it('an unknown key: the line and column of the key, with the key it was probably meant to be', async () => {
    const f = file(['{', '  "screne": { "port": 8480 },', '  "health": {', '    "prot": 9464', '  },', '  "zzz": 1', '}'].join('\n'));
    expect((await checkConfigFile(f.path)).sort()).toEqual(
      [
        `${f.shown}:2:3: screne: unknown key "screne"; did you mean "screen"?`,
        `${f.shown}:4:5: health.prot: unknown key "prot"; did you mean "port"?`,
        `${f.shown}:6:3: zzz: unknown key "zzz"`,
      ].sort(),
    );
  });

  it('a JSON syntax error: where the parser stopped', async () => {
    const f = file(['{', '  "profile": "roadside",', '  "region": "110105"', '  "db": null', '}'].join('\n'));
    const [line, ...rest] = await checkConfigFile(f.path);
    expect(rest).toEqual([]);
    expect(line).toMatch(new RegExp(`^${f.shown.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:4:3: not valid JSON \\(`));
  });

  it('a file cut short: the end of the file', async () => {
    const f = file('{\n  "profile": "gate",\n');
    expect(await checkConfigFile(f.path)).toEqual([expect.stringMatching(/:3:1: not valid JSON/)]);
  });

  it('an array item, a missing required key, a key written twice', async () => {
    const f = file(
      JSON.stringify({ feedback: { accept: { buzzer: [80, 'x'] } }, station: { shared: { bucket: 'b' } }, health: { port: 1, port2: 2 } }, null, 2).replace(
        '"port": 1',
        '"port": 1,\n    "port": -1',
      ),
    );
    const lines = await checkConfigFile(f.path);
    // The second "port" is the one JSON.parse keeps, and the one named.
    expect(lines).toContainEqual(expect.stringMatching(/:17:13: health\.port: Too small/));
    expect(lines).toContainEqual(expect.stringMatching(/:6:9: feedback\.accept\.buzzer\.1: Invalid input: expected number, received string/));
    // servers is missing: the object that misses it is pointed at.
    expect(lines).toContainEqual(expect.stringMatching(/:11:15: station\.shared\.servers: /));
    expect(lines).toContainEqual(expect.stringMatching(/:18:5: health\.port2: unknown key "port2"; did you mean "port"\?/));
  });

  it('a referenced file that cannot be read: the line of the key that names it', async () => {
    const f = file('{\n  "profile": "roadside",\n  "trustFile": "no-such-trust.json"\n}\n');
    expect(await checkConfigFile(f.path)).toEqual([expect.stringMatching(/:3:16: trustFile: cannot read .*no-such-trust\.json \(ENOENT\)$/)]);
  });

  it('control characters in a key are never printed raw, in the path or in the quoted key', async () => {
    const f = file('{\n  "scr\\u001b[2Jeen\\u0007": 1\n}');
    const lines = await checkConfigFile(f.path);
    expect(lines).toHaveLength(1);
    expect(lines[0]).not.toMatch(/[\u0000-\u001f\u007f-\u009f]/);
    expect(lines[0]).toMatch(/:2:3: scr.\[2Jeen.: unknown key "scr\\u001b\[2Jeen\\u0007"/);
  });

  it('the real command line prints the same lines on standard error and exits 2', async () => {
    const f = file('{\n  "profil": "gate"\n}\n');
    const res = await runCli(['config', 'check', f.path]);
    expect(res.code).toBe(2);
    expect(res.stdout).toBe('');
    expect(res.stderr).toBe(`${relative(process.cwd(), f.path)}:2:3: profil: unknown key "profil"; did you mean "profile"?\n`);
  });
});

describe('the JSON position scan', () => {
  const text = '\uFEFF{ "a": { "b": [1, {"c": "x\\"}]"}, 3] }, "a\\u0062": 2 }';
  it('finds keys and values, escapes and brackets inside strings included', () => {
    expect(locate(text, ['a', 'b', 1, 'c'])).toMatchObject({ found: 4, valueOffset: text.indexOf('"x') });
    expect(locate(text, ['a', 'b', 2])).toMatchObject({ found: 3, valueOffset: text.indexOf('3]') });
    // "a\u0062" is "ab" once parsed.
    expect(locate(text, ['ab'])).toMatchObject({ found: 1, keyOffset: text.indexOf('"a\\u0062"') });
    expect(locate(text, ['a', 'nothing'])).toMatchObject({ found: 1 });
    expect(locate(text, ['a', 'b', 9])).toMatchObject({ found: 2 });
    expect(locate('', ['a'])).toBeNull();
  });

  it('a deeply nested file costs one pass and no recursion', () => {
    const deep = `{"a": ${'['.repeat(200_000)}${']'.repeat(200_000)}, "b": 1}`;
    expect(locate(deep, ['b'])).toMatchObject({ found: 1, valueOffset: deep.length - 2 });
  });

  it('lines and columns count from 1', () => {
    expect(positionAt('ab\ncd', 0)).toEqual({ line: 1, column: 1 });
    expect(positionAt('ab\ncd', 4)).toEqual({ line: 2, column: 2 });
    expect(positionAt('ab\ncd', 99)).toEqual({ line: 2, column: 3 });
  });
});

describe('did you mean', () => {
  it('finds typos, and nothing for words too far from any', () => {
    expect(didYouMean('screne', ['screen', 'scanner'])).toBe('screen');
    expect(didYouMean('porfile', ['profile', 'region'])).toBe('profile');
    expect(didYouMean('Profile', ['profile'])).toBe('profile');
    expect(didYouMean('xyz', ['profile', 'region'])).toBeNull();
    expect(didYouMean('x'.repeat(10_000), ['profile'])).toBeNull();
    expect(editDistance('ab', 'ba')).toBe(1);
    expect(editDistance('kitten', 'sitting')).toBe(3);
  });
});
