/**
 * `roadscan doctor` tells the technician at installation when the rules data held do not accept a
 * type the device's profile serves in its region (issue 22): a gate in Sichuan (510000), a province
 * with no e-ticket adoption in the shipped adoption data, would answer every ticket
 * NOT_ACCEPTED_IN_REGION. A gate in Beijing (TK adopted 2020-09-30) gets no such line.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';

let dir: string;
let cfg: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'roadscan-doctor-served-'));
  cfg = join(dir, 'config.json');
  writeFileSync(cfg, JSON.stringify({ screen: { port: 0 }, health: { port: 0 } }));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const doctor = (region: string, db: string) =>
  runCli(
    [
      'doctor',
      '--hal',
      'sim',
      '--config',
      cfg,
      '--db',
      join(dir, db),
      '--profile',
      'gate',
      '--region',
      region,
      '--station',
      `S${region}001`,
      '--now',
      '2026-11-20T10:00:00+08:00',
    ],
    {
      timeoutMs: 30_000,
    },
  );

describe('roadscan doctor: a type served but not accepted in the region', () => {
  it('a gate in a province with no TK adoption prints a FIX line naming TK, exit 1', async () => {
    const res = await doctor('510000', 'sichuan.db');
    expect(res.stdout).toMatch(
      /^FIX {2}types served: a gate serves TK, but adoption version \d+ does not accept it in region 510000 at all: every TK answers NOT_ACCEPTED_IN_REGION; check region, or sync the rules data$/m,
    );
    expect(res.code).toBe(1);
    expect(res.stderr).not.toMatch(/\n\s+at /);
  });

  it('a gate in Beijing, where TK is adopted, gets no such line', async () => {
    const res = await doctor('110105', 'beijing.db');
    expect(res.stdout).toMatch(/policy: version 0/);
    expect(res.stdout).not.toMatch(/types served/);
  });
});
