/**
 * Issue 2, second half: a flood of mutated and random lines through one `verify --json` process
 * is answered line by line, in order, every answer a well-formed reject with no control character
 * in it, exit 0, and no stack trace. Good lines go first as controls (they must not be refused),
 * so a scanner that refuses everything cannot pass.
 * @module
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { at } from './claims.js';
import { looksLikeStackTrace, runVerify } from './cli-runner.js';
import { buildFlood } from './flood.js';
import { IssuerKit } from './issuer-kit.js';
import { parseAnswer } from './output-check.js';

/** Fixed by default; ROADSCAN_FLOOD_SEED / ROADSCAN_FLOOD_MUTATIONS widen a bug hunt by hand. */
const SEED = Number(process.env.ROADSCAN_FLOOD_SEED ?? 20_261_120);
const MUTATIONS = Number(process.env.ROADSCAN_FLOOD_MUTATIONS ?? 3000);
const RANDOM_LINES = Math.ceil(MUTATIONS * 0.4);
const NOW = '2026-11-20T10:00:00+08:00';

const dir = mkdtempSync(join(tmpdir(), 'roadscan-flood-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it('answers every mutated or random line with a reject, in order, without crashing', async () => {
  const kit = new IssuerKit();
  const now = at(NOW);
  const good = [
    kit.live(kit.claims('DL', now), { gen: now }),
    kit.live(kit.claims('DL', now), { gen: now, compress: false }),
    kit.live(kit.claims('DL', now), { gen: now, compress: false, innerTagged: false, outerTagged: false }),
    kit.live(kit.claims('VR', now), { gen: now, sign: { kidPlace: 'unprotected' } }),
    kit.live(kit.claims('VA', now), { gen: now }),
    kit.bare(kit.claims('VD', now)),
    kit.bare(kit.claims('VD', now), { compress: false, sign: { tagged: false } }),
    kit.bare(kit.claims('VD', now), { compress: false, sign: { kidPlace: 'both' } }),
    kit.bare(kit.claims('TK', now)),
    kit.bare(kit.claims('TK', now), { compress: false }),
  ];
  const flood = buildFlood(good, SEED, MUTATIONS, RANDOM_LINES);
  const trust = join(dir, 'trust.json');
  writeFileSync(trust, JSON.stringify(kit.trustList()));
  const input = Buffer.concat([...good.map((l) => Buffer.from(l + '\n')), ...flood.lines.flatMap((l) => [l, Buffer.from('\n')])]);

  const run = await runVerify(['--trust', trust, '--db', join(dir, 't.db'), '--now', NOW, '--profile', 'window', '--region', '110105'], input);
  expect(looksLikeStackTrace(run.stderr), run.stderr.slice(0, 2000)).toBe(false);
  expect(run.code, `exit code; stderr: ${run.stderr.slice(0, 500)}`).toBe(0);
  expect(run.lines.length, 'one answer per input line').toBe(good.length + flood.lines.length);

  const failures: string[] = [];
  run.lines.forEach((out, i) => {
    const { answer, problems } = parseAnswer(out);
    const isControl = i < good.length;
    const line = isControl ? good[i]! : flood.lines[i - good.length]!.toString('utf8');
    const shown = JSON.stringify(line.length > 120 ? line.slice(0, 120) + '...' : line);
    if (!answer) failures.push(`#${i} ${shown}: ${problems.join('; ')}`);
    else if (isControl && answer.verdict === 'reject') failures.push(`control #${i} refused: ${out.slice(0, 200)}`);
    else if (!isControl && answer.verdict !== 'reject') failures.push(`#${i} ${shown}: ${answer.verdict} ${JSON.stringify(answer.reasons)}`);
  });
  const kinds = [...flood.kinds].map(([k, n]) => `${k} ${n}`).join(', ');
  console.log(`flood: ${flood.lines.length} lines (${kinds}); ${flood.equivalent} re-spellings of the same signed content dropped; stderr ${run.stderr.length} bytes`);
  if (failures.length > 0) console.log(failures.slice(0, 40).join('\n'));
  expect(failures).toEqual([]);
});
