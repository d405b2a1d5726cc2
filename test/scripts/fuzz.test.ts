import { describe, expect, it } from 'vitest';
import { runFuzz } from '../../scripts/bench/fuzz.js';

describe('fuzz (small CI budget; `node dist/scripts/bench/fuzz.js 1000000` runs the large one)', () => {
  it('answers 20,000 hostile inputs with no exception, no control character and no mutated code let through', () => {
    const report = runFuzz(20_000, 7);
    expect(report.failures).toEqual([]);
    expect(report.inputs).toBe(20_000);
    expect(report.rejected).toBeGreaterThan(19_000);
  });
});
