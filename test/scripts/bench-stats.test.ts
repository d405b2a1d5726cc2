/**
 * The one definition of the benchmarks' order statistics (scripts/bench/bench-stats.ts): nearest-rank
 * percentiles, so the p99 of 100 samples is the 99th and not the maximum, and a true median.
 */
import { describe, expect, it } from 'vitest';
import { median, percentile } from '../../scripts/bench/bench-stats.js';

const hundred = Array.from({ length: 100 }, (_, i) => i + 1);

describe('bench order statistics', () => {
  it('percentile is nearest-rank over ascending samples', () => {
    expect(percentile(hundred, 50)).toBe(50);
    expect(percentile(hundred, 99)).toBe(99);
    expect(percentile(hundred, 100)).toBe(100);
    expect(percentile(hundred, 0)).toBe(1);
    expect(percentile(Float64Array.from([3, 5, 8]), 50)).toBe(5);
    expect(percentile([], 50)).toBeNaN();
  });

  it('median sorts a copy, and is the mean of the middle two of an even count', () => {
    const xs = [9, 1, 5];
    expect(median(xs)).toBe(5);
    expect(xs).toEqual([9, 1, 5]);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([])).toBeNaN();
  });
});
