/** `roadscan decode-image` as a user runs it: the built binary over picture files. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PICTURE_CASES } from '../../../sim/scenarios/pictures/picture-set.js';
import { createDemoWorld } from '../../../sim/scenarios/demo.js';
import { runCli } from '../../helpers/cli.js';

const NOW_SEC = Date.UTC(2026, 4, 12, 2, 0, 0) / 1000;
let dir: string;
let common: string[];
const file = (name: string) => join(dir, name);
const pictureOf = (name: string) => PICTURE_CASES.find((c) => c.name === name)!;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'roadscan-decode-image-'));
  const world = createDemoWorld(join(dir, 'authority'), NOW_SEC);
  const a = world.authority;
  writeFileSync(file('licence-screenshot.png'), await pictureOf('screenshot').build(a.code({ type: 'DL', now: NOW_SEC }).text));
  writeFileSync(file('registration-photo.jpg'), await pictureOf('photo-12mp').build(a.code({ type: 'VR', now: NOW_SEC }).text));
  writeFileSync(file('forged.webp'), await pictureOf('screenshot-webp').build(a.code({ type: 'DL', now: NOW_SEC, flaw: 'issuer-signature' }).text));
  writeFileSync(file('no-code.jpg'), await pictureOf('no-code').build(''));
  writeFileSync(file('notes.txt'), 'RS1:this is text, not a picture\n');
  common = ['--trust', world.trustFile, '--db', file('scan.db'), '--now', new Date(NOW_SEC * 1000).toISOString(), '--profile', 'roadside'];
}, 120_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('roadscan decode-image', () => {
  it('answers one JSON object per file, in order: the verify fields plus file and decoded', async () => {
    const files = ['licence-screenshot.png', 'registration-photo.jpg', 'forged.webp', 'no-code.jpg', 'notes.txt'].map(file);
    const res = await runCli(['decode-image', '--json', ...common, ...files]);
    expect(res.code).toBe(0);
    const out = res.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(out.map((o) => [o.file, o.decoded, o.verdict, o.type, (o.reasons as string[])[0] ?? null])).toEqual([
      [files[0], true, 'warn', 'DL', 'STATUS_LIST_STALE'],
      [files[1], true, 'warn', 'VR', 'PAPER_REQUIRED'],
      [files[2], true, 'reject', 'DL', 'BAD_SIGNATURE'],
      [files[3], false, 'reject', null, 'MALFORMED'],
      [files[4], false, 'reject', null, 'MALFORMED'],
    ]);
    expect(out[4]!.error).toBe('not a PNG, JPEG or WebP picture');
    expect(out[3]!.error).toBeUndefined();
    expect(Object.keys(out[0]!).sort()).toEqual(['decoded', 'fields', 'file', 'ms', 'reasons', 'type', 'verdict']);
    expect((out[0]!.fields as Record<string, string>).name).toBe('张*');
  });

  it('exits like verify for a single file: 3 warn, 1 reject', async () => {
    expect((await runCli(['decode-image', ...common, file('registration-photo.jpg')])).code).toBe(3);
    const missing = await runCli(['decode-image', ...common, file('nowhere.png')]);
    expect(missing.code).toBe(1);
    expect(missing.stdout).toContain('cannot read (ENOENT)');
    expect(missing.stderr).toBe('');
  });

  it('prints a line a person reads without --json', async () => {
    const res = await runCli(['decode-image', ...common, file('forged.webp'), file('no-code.jpg')]);
    expect(res.stdout.split('\n')[0]).toMatch(/forged\.webp: REJECT\s+DL\s+BAD_SIGNATURE/);
    expect(res.stdout.split('\n')[1]).toMatch(/no-code\.jpg: REJECT  -  no QR code found in the picture/);
  });
});
