import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { ProgressBar } from '../../../firmware-ts/cli/progress-bar.js';
import { listAge } from '../../../firmware-ts/core/staleness.js';

function stream(isTTY: boolean): NodeJS.WriteStream & { text: () => string } {
  const s = new PassThrough() as unknown as NodeJS.WriteStream & { text: () => string };
  const chunks: string[] = [];
  s.on('data', (c: Buffer) => chunks.push(c.toString()));
  Object.assign(s, { isTTY, text: () => chunks.join('') });
  return s;
}

describe('ProgressBar', () => {
  it('draws one redrawn line on a terminal, at most ten times a second, and always the end', async () => {
    let now = 0;
    const out = stream(true);
    const bar = new ProgressBar(out, () => now);
    bar.update({ file: 'snap-7.bin', done: 0, total: 170_000_016 });
    now = 50;
    bar.update({ file: 'snap-7.bin', done: 85_000_008, total: 170_000_016 }); // too soon: skipped
    now = 150;
    bar.update({ file: 'snap-7.bin', done: 85_000_008, total: 170_000_016 });
    now = 160;
    bar.update({ file: 'snap-7.bin', done: 170_000_016, total: 170_000_016 });
    bar.done();
    await new Promise((r) => setImmediate(r));
    const frames = out.text().split('\r').filter(Boolean);
    expect(frames).toHaveLength(3);
    expect(frames[1]).toMatch(/^snap-7\.bin +\[#{15}-{15}\]  50%  85\.0\/170\.0 MB\u001b\[K$/);
    expect(frames[2]).toMatch(/\[#{30}\] 100%  170\.0\/170\.0 MB\u001b\[K\n$/);
  });

  it('prints nothing when the stream is not a terminal', async () => {
    const out = stream(false);
    const bar = new ProgressBar(out, () => 1000);
    bar.update({ file: 'snap-7.bin', done: 5, total: 10 });
    bar.done();
    await new Promise((r) => setImmediate(r));
    expect(out.text()).toBe('');
  });

  it('shows records while applying and bytes alone when the size is unknown', () => {
    const bar = new ProgressBar(stream(true));
    expect(bar.line({ file: 'apply', done: 8192, total: 100_000 })).toMatch(/^apply +\[##-+\]   8%  8192\/100000$/);
    expect(bar.line({ file: 'manifest.cose', done: 190, total: null })).toBe('manifest.cose            0.0 MB');
  });
});

describe('listAge', () => {
  it('is stale past the limit and when no manifest was ever verified', () => {
    expect(listAge(null, 1000, 86400)).toEqual({ stale: true, ageSec: null });
    expect(listAge(1000, 1000 + 86400, 86400)).toEqual({ stale: false, ageSec: 86400 });
    expect(listAge(1000, 1001 + 86400, 86400)).toEqual({ stale: true, ageSec: 86401 });
  });
});
