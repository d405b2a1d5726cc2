/**
 * Issue 2: a corpus written by an independent implementation of the spec (cborg, node:crypto,
 * own Base45; fresh keys every run) gets the expected verdict and reasons on every line from the
 * real `roadscan verify --json`, one process per setting reading all its lines on stdin.
 * Where the scanner answers MALFORMED, UNKNOWN_ISSUER or BAD_SIGNATURE, no field may be shown. The CLI runs
 * in a time zone that is neither UTC nor CST (cli-runner.ts).
 * Set ROADSCAN_CORPUS_DIR to keep the corpus files for a manual run.
 * @module
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runVerify, looksLikeStackTrace, stdinOf } from './cli-runner.js';
import { NOT_PRODUCIBLE_HERE, buildCorpus, reasonCounts, writeCorpus } from './corpus.js';
import type { Setting } from './corpus-setting.js';
import { SPEC_REASON_ORDER } from './expectations.js';
import { IssuerKit } from './issuer-kit.js';
import { parseAnswer } from './output-check.js';
import { readQr } from './qr-reader.js';

/** Reasons by which the scanner itself says no trusted issuer vouches for the claims: nothing of them may be shown. */
const UNVERIFIED = new Set(['MALFORMED', 'UNKNOWN_ISSUER', 'BAD_SIGNATURE']);

const kit = new IssuerKit();
const settings = buildCorpus(kit);
let dir = '';
let trustFile = '';
const probeReport: string[] = [];

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'roadscan-corpus-'));
  trustFile = join(dir, 'trust.json');
  writeFileSync(trustFile, JSON.stringify(kit.trustList()));
  if (process.env.ROADSCAN_CORPUS_DIR) writeCorpus(process.env.ROADSCAN_CORPUS_DIR, kit, settings);
});

afterAll(() => {
  if (probeReport.length > 0) console.log(`probes (spec leaves the exact answer open):\n${probeReport.join('\n')}`);
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('the corpus itself', () => {
  it('covers every reason code that needs no status-list sync', () => {
    const counts = reasonCounts(settings);
    const missing = SPEC_REASON_ORDER.filter((r) => !NOT_PRODUCIBLE_HERE.includes(r) && !counts.has(r));
    expect(missing).toEqual([]);
    console.log(
      `corpus: ${settings.reduce((n, s) => n + s.lines.length, 0)} lines in ${settings.length} settings; lines per reason: ${[...counts]
        .map(([r, n]) => `${r} ${n}`)
        .join(', ')}`,
    );
  });

  it('decodes every line it expects to pass the decoding stage with its own reader', () => {
    for (const s of settings) {
      for (const l of s.lines) {
        if (l.expect.kind === 'exact' && !l.expect.reasons.includes('MALFORMED')) expect(readQr(l.text).signed, l.name).not.toBeNull();
      }
    }
  });

  it('never puts a newline inside a line', () => {
    for (const s of settings) for (const l of s.lines) expect(l.text, l.name).not.toMatch(/[\r\n]/);
  });
});

describe('roadscan verify --json against the corpus', () => {
  it.each(settings.map((s, i) => [s.name, i] as const))('%s', async (_name, index) => {
    const setting: Setting = settings[index]!;
    const db = join(dir, `${setting.dbName}.db`);
    const run = await runVerify(['--trust', trustFile, '--db', db, ...setting.cliArgs()], stdinOf(setting.lines.map((l) => l.text)));
    expect(looksLikeStackTrace(run.stderr), run.stderr).toBe(false);
    expect(run.code, `exit code; stderr: ${run.stderr}`).toBe(0);
    expect(run.lines.length, 'one answer per input line').toBe(setting.lines.length);

    const disagreements: string[] = [];
    setting.lines.forEach((line, i) => {
      const { answer, problems } = parseAnswer(run.lines[i] ?? '');
      const where = `[${setting.name}] #${i} ${line.name}`;
      if (!answer) {
        disagreements.push(`${where}: bad output (${problems.join('; ')})`);
        return;
      }
      const got = `${answer.verdict} ${JSON.stringify(answer.reasons)} type=${answer.type}`;
      if (line.expect.kind === 'probe') {
        probeReport.push(`${where}: ${got}   (${line.expect.note})`);
        if (line.expect.mustReject && answer.verdict !== 'reject') disagreements.push(`${where}: expected reject (${line.expect.note}), got ${got}`);
        return;
      }
      if (answer.reasons.some((r) => UNVERIFIED.has(r)) && Object.keys(answer.fields).length > 0) {
        disagreements.push(`${where}: fields shown although the issuer signature did not verify: ${JSON.stringify(answer.fields).slice(0, 200)}`);
      }
      const want = `${line.expect.verdict} ${JSON.stringify(line.expect.reasons)} type=${line.expect.type}`;
      if (got !== want)
        disagreements.push(`${where}\n    expected ${want}\n    got      ${got}\n    text ${line.text.length > 160 ? line.text.slice(0, 160) + '...' : line.text}`);
    });
    if (disagreements.length > 0) console.log(disagreements.join('\n'));
    expect(disagreements).toEqual([]);
  });
});
