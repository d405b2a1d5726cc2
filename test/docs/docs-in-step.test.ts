/**
 * docs/ is roadscan's own copy of a spec that issuers we do not control follow, so it must not drift.
 * Where the upstream spec sits beside the repository (../shared, as on CI; ROADSCAN_SHARED names
 * another place) every docs/ file is compared with its upstream file: the same title and version,
 * the same headings (so "CREDENTIALS.md section 5" means the same section), the same tables, the
 * same normative words, and docs/vectors.json byte for byte. A clone without it still checks
 * docs/ against itself and against the code.
 * @module
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REASON_CODES, verdictOf } from '../../firmware-ts/core/reasons.js';
import { PACKAGE_ROOT } from '../../firmware-ts/paths.js';
import { firstDifference, firstHeadingDifference, firstRowDifference, headings, normativeWords, reasonCodesOf, tableUnder, tables } from './spec-text.js';

const UPSTREAM = process.env.ROADSCAN_SHARED ?? join(PACKAGE_ROOT, '..', 'shared');
const DOCS = join(PACKAGE_ROOT, 'docs');

interface Pair {
  /** The file under docs/. */
  docs: string;
  /** The same file under the upstream folder. */
  upstream: string;
  /** Headings whose indented blocks are the project's own (the layout of this repository). */
  ownBlocksUnder?: string[];
  /** Upstream sentences docs/ words differently on purpose, and the words it uses instead. */
  rewrites?: [upstream: string, docs: string][];
}

const PAIRS: Pair[] = [
  { docs: 'CREDENTIALS.md', upstream: 'spec/CREDENTIALS.md' },
  { docs: 'STATUS-LIST.md', upstream: 'spec/STATUS-LIST.md' },
  { docs: 'CLI.md', upstream: 'spec/CLI.md' },
  {
    docs: 'DESIGN.md',
    upstream: 'DESIGN.md',
    ownBlocksUnder: ['Shape of the code'],
    rewrites: [
      [
        'The seed articles are in `seeds/`.',
        "The rules below come from public reports of those announcements (the project's seed articles, which are not part of this repository).",
      ],
    ],
  },
];

const read = (file: string) => readFileSync(file, 'utf8');
const docsText = (pair: Pair) => read(join(DOCS, pair.docs));
const upstreamFile = (pair: Pair) => join(UPSTREAM, pair.upstream);
const firstLine = (text: string) => text.split('\n', 1)[0];

/** One message naming the file that drifted and what to do, so a red CI says where to look. */
const drifted = (pair: Pair, what: string) => `docs/${pair.docs} drifted from the upstream ${pair.upstream} (${what}): bring docs/${pair.docs} in step with it`;

// Registered only where the upstream spec is present: a clone without it has nothing to compare with.
if (existsSync(UPSTREAM))
  describe(`docs/ in step with the upstream spec (${UPSTREAM})`, () => {
    it.each(PAIRS.map((p) => [p.docs, p] as const))('docs/%s: same title and version, headings, tables and words', (_name, pair) => {
      const docs = docsText(pair);
      const upstream = read(upstreamFile(pair));
      expect(firstLine(docs), drifted(pair, 'title and version line')).toBe(firstLine(upstream));
      const heading = firstHeadingDifference(headings(upstream), headings(docs));
      expect(heading, drifted(pair, `headings and section numbers: ${heading}`)).toBeNull();
      const row = firstRowDifference(tables(upstream), tables(docs));
      expect(row, drifted(pair, `tables: ${row}`)).toBeNull();
      let rewritten = upstream;
      for (const [from, to] of pair.rewrites ?? []) {
        expect(upstream.includes(from), drifted(pair, `the upstream sentence docs/ rewords is gone: "${from}"`)).toBe(true);
        rewritten = rewritten.replace(from, to);
      }
      const own = pair.ownBlocksUnder ?? [];
      const difference = firstDifference(
        normativeWords(rewritten, { dropNotes: false, ownBlocksUnder: own }),
        normativeWords(docs, { dropNotes: true, ownBlocksUnder: own }),
      );
      expect(difference, drifted(pair, `text ${difference}`)).toBeNull();
    });

    it('docs/vectors.json is the upstream spec/vectors.json, byte for byte', () => {
      const same = read(join(DOCS, 'vectors.json')) === read(join(UPSTREAM, 'spec', 'vectors.json'));
      expect(same, 'docs/vectors.json drifted from the upstream spec/vectors.json: copy the upstream file over it').toBe(true);
    });
  });

describe('docs/ on its own', () => {
  it('holds the four spec files, CREDENTIALS and STATUS-LIST at version 1.2', () => {
    for (const pair of PAIRS) expect(existsSync(join(DOCS, pair.docs)), `docs/${pair.docs} is missing`).toBe(true);
    expect(firstLine(read(join(DOCS, 'CREDENTIALS.md')))).toBe('# Credential QR format, version 1.2');
    expect(firstLine(read(join(DOCS, 'STATUS-LIST.md')))).toBe('# Status list distribution, version 1.2');
  });

  it('keeps the numbered sections that the code cites', () => {
    const sections = headings(read(join(DOCS, 'CREDENTIALS.md'))).filter((h) => /^\d+\./.test(h));
    expect(sections.map((h) => h.split(' ')[0])).toEqual(['1.', '2.', '3.', '4.', '5.', '6.', '7.', '8.']);
  });

  it('holds whole vectors: every scan vector, the status list and the signed documents', () => {
    const vectors = JSON.parse(read(join(DOCS, 'vectors.json')));
    expect(vectors.vectors.length).toBeGreaterThanOrEqual(12);
    expect(Object.keys(vectors.statusList.files)).toEqual(['manifest.cose', 'snap-1.bin', 'delta-1-2.bin']);
    expect(vectors.signedDocuments.cases.length).toBeGreaterThanOrEqual(4);
  });
});

describe('docs/ and the code say the same', () => {
  const table = reasonCodesOf(tableUnder(read(join(DOCS, 'CREDENTIALS.md')), '6.'));

  it('firmware-ts/core/reasons.ts lists every reason code of docs/CREDENTIALS.md section 6, in the order of its table', () => {
    expect([...REASON_CODES], 'firmware-ts/core/reasons.ts drifted from the reason table of docs/CREDENTIALS.md section 6 (codes or their order)').toEqual(
      table.map((r) => r.code),
    );
  });

  it('each code alone gives the verdict of its row in that table', () => {
    const wrong = table.filter((r) => verdictOf([r.code as (typeof REASON_CODES)[number]]) !== r.verdict);
    expect(wrong, 'verdictOf in firmware-ts/core/reasons.ts disagrees with docs/CREDENTIALS.md section 6 for these codes').toEqual([]);
  });

  it('code, tests and README cite the spec as docs/..., never the upstream folder or a bare file name', () => {
    const tracked = execFileSync('git', ['ls-files', 'firmware-ts', 'hal', 'sim', 'scripts', 'test', 'README.md', 'bin'], { cwd: PACKAGE_ROOT, encoding: 'utf8' })
      .split('\n')
      .filter((f) => f && !f.startsWith('test/docs/') && existsSync(join(PACKAGE_ROOT, f)));
    const bad: string[] = [];
    for (const file of tracked) {
      read(join(PACKAGE_ROOT, file))
        .split('\n')
        .forEach((line, i) => {
          if (/\.\.\/shared|(?<![\w/.-])(spec\/)?(CREDENTIALS|STATUS-LIST|CLI|DESIGN)\.md|(?<![\w/.-])spec\/vectors\.json/.test(line)) bad.push(`${file}:${i + 1}`);
        });
    }
    expect(bad, 'these lines cite the spec outside docs/: write docs/CREDENTIALS.md, docs/STATUS-LIST.md, docs/CLI.md or docs/DESIGN.md').toEqual([]);
  });
});
