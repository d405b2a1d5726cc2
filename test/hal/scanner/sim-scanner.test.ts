import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { SimScanner, type ScriptStep } from '../../../hal/scanner/sim-scanner.js';
import type { DroppedFrame } from '../../../hal/scanner/scanner.js';

function collect(s: SimScanner) {
  const texts: string[] = [];
  const dropped: DroppedFrame[] = [];
  const states: string[] = [];
  s.on('frame', (f) => texts.push(f.text));
  s.on('dropped', (d) => dropped.push(d));
  s.on('state', (st) => states.push(st.state));
  return { texts, dropped, states };
}

describe('SimScanner from a terminal or a pipe', () => {
  it('takes typed and pasted codes, one per line, through the same framing rules', async () => {
    const input = new PassThrough();
    const s = SimScanner.fromStream(input, { maxFrameLength: 64 });
    const got = collect(s);
    await s.start();
    input.write('RS1:TYPED\n');
    input.write('RS1:PASTE1\r\nRS1:PASTE2\r\n\n');
    input.write(']Q1RS1:AIM\nRS1:\x1b[2JEVIL\n');
    input.write(`${'X'.repeat(100)}\n`);
    input.end('RS1:LAST-WITHOUT-NEWLINE');
    await s.done;
    expect(got.texts).toEqual(['RS1:TYPED', 'RS1:PASTE1', 'RS1:PASTE2', 'RS1:AIM', 'RS1:LAST-WITHOUT-NEWLINE']);
    expect(got.dropped.map((d) => d.reason)).toEqual(['control-characters', 'too-long']);
    expect(got.states).toEqual(['open']);
    await s.stop();
  });
});

describe('SimScanner playing a script', () => {
  it('sends each step in order, telling the caller before each one', async () => {
    const steps: ScriptStep[] = [
      { afterMs: 5, text: 'RS1:ONE', note: 'first' },
      { afterMs: 5, text: ']Q2RS1:TWO', note: 'second' },
    ];
    const notes: string[] = [];
    const s = SimScanner.fromScript(steps, { maxFrameLength: 64, onStep: (step, i) => notes.push(`${i}:${step.note}`) });
    const got = collect(s);
    await s.start();
    await s.done;
    expect(got.texts).toEqual(['RS1:ONE', 'RS1:TWO']);
    expect(notes).toEqual(['0:first', '1:second']);
    await s.stop();
  });

  it('then keeps reading a terminal when asked to', async () => {
    const input = new PassThrough();
    const s = SimScanner.fromScript([{ afterMs: 0, text: 'RS1:SCRIPTED' }], { maxFrameLength: 64, then: input });
    const got = collect(s);
    await s.start();
    await s.done;
    input.write('RS1:TYPED-AFTER\n');
    await new Promise((r) => setImmediate(r));
    expect(got.texts).toEqual(['RS1:SCRIPTED', 'RS1:TYPED-AFTER']);
    await s.stop();
    expect(input.listenerCount('data')).toBe(0);
  });

  it('stop() cancels the rest of the script', async () => {
    const s = SimScanner.fromScript(
      [
        { afterMs: 0, text: 'RS1:A' },
        { afterMs: 60_000, text: 'RS1:NEVER' },
      ],
      { maxFrameLength: 64 },
    );
    const got = collect(s);
    await s.start();
    await new Promise((r) => setTimeout(r, 20));
    await s.stop();
    await s.done;
    expect(got.texts).toEqual(['RS1:A']);
  });
});
