/**
 * The order statistics every benchmark prints, defined once: before, each script had its own
 * `percentile`, `median` or `quantile`, and they disagreed (one p99 was the maximum of 100
 * samples, another the 99th), so two tables' p99 were not the same figure.
 * @module
 */

/** Nearest-rank percentile of ascending `sorted` (p in 0..100): the smallest sample with at least p % at or below it; NaN when empty. */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((sorted.length * p) / 100) - 1))]!;
}

/** The median of `xs` in any order (the mean of the two middle samples of an even count); NaN when empty. */
export function median(xs: readonly number[]): number {
  if (xs.length === 0) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}
