/**
 * "Did you mean" for a word that names nothing (an unknown configuration key, say): the closest
 * of the words that do, when it is close enough to be a typo. Closeness is the optimal string
 * alignment distance (insertions, deletions, substitutions and swaps of two neighbours, each 1),
 * so `screne` finds `screen` and `porfile` finds `profile`. Bounded: words longer than
 * `MAX_WORD` are never compared, so a hostile key costs nothing.
 * @module
 */

const MAX_WORD = 64;

/** The optimal string alignment distance between `a` and `b`. */
export function editDistance(a: string, b: string): number {
  const rows: number[][] = [];
  for (let i = 0; i <= a.length; i++) rows.push([i, ...new Array<number>(b.length).fill(0)]);
  for (let j = 0; j <= b.length; j++) rows[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min(rows[i - 1]![j]! + 1, rows[i]![j - 1]! + 1, rows[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, rows[i - 2]![j - 2]! + 1);
      rows[i]![j] = d;
    }
  }
  return rows[a.length]![b.length]!;
}

/**
 * The one of `candidates` closest to `word`, or null when none is close enough to be a typo of
 * it: at most 1 edit for words of up to 4 characters, 2 up to 8, else a third of the length.
 * Case alone never counts as a difference worth more than one edit. The first of equals wins.
 */
export function didYouMean(word: string, candidates: Iterable<string>): string | null {
  if (word.length === 0 || word.length > MAX_WORD) return null;
  const limit = word.length <= 4 ? 1 : word.length <= 8 ? 2 : Math.floor(word.length / 3);
  let best: string | null = null;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const c of candidates) {
    if (c === word || c.length > MAX_WORD || Math.abs(c.length - word.length) > limit) continue;
    const d = c.toLowerCase() === word.toLowerCase() ? 1 : editDistance(word, c);
    if (d <= limit && d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  return best;
}
