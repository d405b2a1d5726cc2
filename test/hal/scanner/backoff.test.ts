import { describe, expect, it } from 'vitest';
import { backoffDelay } from '../../../hal/scanner/backoff.js';

describe('backoffDelay', () => {
  it('grows by the factor and stops at the maximum', () => {
    const opts = { initialMs: 100, maxMs: 1000, factor: 2 };
    expect([0, 1, 2, 3, 4, 5, 50, 5000].map((a) => backoffDelay(a, opts))).toEqual([100, 200, 400, 800, 1000, 1000, 1000, 1000]);
  });
});
