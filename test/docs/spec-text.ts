/**
 * Reads the normative part of a spec file, so docs/ can be compared with the upstream spec it was
 * written from. docs/ adds project notes (the blockquote under a title, paragraphs that begin
 * "In roadscan:", links between the files) that are not part of the contract; everything else must
 * say what upstream says, word for word, because issuers we do not control follow upstream.
 * @module
 */

/** `[text](target)` → `text`: links are ours, the words inside them are the spec's. */
export function stripLinks(text: string): string {
  return text.replace(/\[([^\]]*)\]\([^)]*\)/g, '$1');
}

/** One paragraph: a run of lines separated from the next by a blank line. */
function paragraphs(text: string): string[] {
  return text.replace(/\r\n/g, '\n').split(/\n\s*\n/);
}

/** True for a paragraph docs/ adds to the spec: a blockquote note or an "In roadscan:" pointer. */
export function isProjectNote(paragraph: string): boolean {
  const first = paragraph.trimStart();
  return first.startsWith('> ') || first.startsWith('In roadscan:');
}

export interface NormativeOptions {
  /** Drop the project notes (true for a docs/ file, false for the upstream file). */
  dropNotes: boolean;
  /** Headings (without the #) whose indented code blocks are the project's own, skipped on both sides. */
  ownBlocksUnder?: readonly string[];
}

/** A heading line's text without its leading #s, or null. */
export function headingOf(line: string): string | null {
  const m = /^(#{1,6})\s+(.*)$/.exec(line);
  return m ? m[2]!.trim() : null;
}

/** A word of normative text and the heading it stands under (for the drift message). */
export interface Word {
  word: string;
  heading: string;
}

/** The words of a spec file that carry its meaning, each with the heading above it. */
export function normativeWords(text: string, options: NormativeOptions): Word[] {
  const own = new Set(options.ownBlocksUnder ?? []);
  const words: Word[] = [];
  let heading = '(top)';
  for (const para of paragraphs(text)) {
    if (options.dropNotes && isProjectNote(para)) continue;
    for (const line of para.split('\n')) {
      const h = headingOf(line);
      if (h !== null) heading = h;
      if (own.has(heading) && /^ {4}/.test(line)) continue;
      for (const word of stripLinks(line).split(/\s+/)) if (word) words.push({ word, heading });
    }
  }
  return words;
}

/** Where two word lists first part, with a few words of context from each; null when equal. */
export function firstDifference(upstream: Word[], docs: Word[]): string | null {
  const n = Math.min(upstream.length, docs.length);
  let i = 0;
  while (i < n && upstream[i]!.word === docs[i]!.word) i++;
  if (i === upstream.length && i === docs.length) return null;
  const around = (ws: Word[]) =>
    ws
      .slice(Math.max(0, i - 6), i + 10)
      .map((w) => w.word)
      .join(' ') || '(end of file)';
  const at = upstream[i] ?? upstream[upstream.length - 1];
  return `under "${at?.heading ?? '(top)'}": upstream says «${around(upstream)}», docs/ says «${around(docs)}»`;
}

/** The headings of a file, in order. */
export function headings(text: string): string[] {
  return text.split('\n').flatMap((line) => {
    const h = headingOf(line);
    return h === null ? [] : [h];
  });
}

/** The markdown tables of a file, each as its rows of trimmed cells, links stripped. */
export function tables(text: string): string[][][] {
  const found: string[][][] = [];
  let current: string[][] | null = null;
  for (const line of text.split('\n')) {
    if (/^\s*\|.*\|\s*$/.test(line)) {
      const cells = stripLinks(line)
        .trim()
        .slice(1, -1)
        .split('|')
        .map((c) => c.trim());
      if (cells.every((c) => /^:?-+:?$/.test(c))) continue;
      (current ??= []).push(cells);
    } else if (current) {
      found.push(current);
      current = null;
    }
  }
  if (current) found.push(current);
  return found;
}

/** The table under the heading that starts with `headingStart`. */
export function tableUnder(text: string, headingStart: string): string[][] {
  const start = text.split('\n').findIndex((l) => headingOf(l)?.startsWith(headingStart));
  if (start < 0) throw new Error(`no heading starting "${headingStart}"`);
  const rest = text.split('\n').slice(start + 1);
  const end = rest.findIndex((l) => headingOf(l) !== null);
  const table = tables((end < 0 ? rest : rest.slice(0, end)).join('\n'))[0];
  if (!table) throw new Error(`no table under "${headingStart}"`);
  return table;
}

/** The reason codes of a reason table (first column, comma-separated), in order. */
export function reasonCodesOf(table: string[][]): { code: string; verdict: string }[] {
  return table.slice(1).flatMap(([codes, verdict]) => (codes ?? '').split(',').map((c) => ({ code: c.trim(), verdict: (verdict ?? '').trim() })));
}

/** The first row where two lists of tables part, as text; null when equal. */
export function firstRowDifference(upstream: string[][][], docs: string[][][]): string | null {
  const rows = (ts: string[][][]) => ts.flatMap((t, i) => t.map((r) => `table ${i + 1}: | ${r.join(' | ')} |`));
  const [u, d] = [rows(upstream), rows(docs)];
  for (let i = 0; i < Math.max(u.length, d.length); i++) {
    if (u[i] !== d[i]) return `upstream has «${u[i] ?? '(no row)'}», docs/ has «${d[i] ?? '(no row)'}»`;
  }
  return null;
}

/** The first heading where two heading lists part, as text; null when equal. */
export function firstHeadingDifference(upstream: string[], docs: string[]): string | null {
  for (let i = 0; i < Math.max(upstream.length, docs.length); i++) {
    if (upstream[i] !== docs[i]) return `upstream has heading «${upstream[i] ?? '(none)'}», docs/ has «${docs[i] ?? '(none)'}»`;
  }
  return null;
}
