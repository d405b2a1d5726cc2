import { describe, expect, it } from 'vitest';
import { blinkTimeline, describeFeedback, patternFor, verdictTimeline } from '../../../hal/indicator/patterns.js';
import { defaultConfig } from '../../../firmware-ts/config/schema.js';

const DEFAULT_FEEDBACK = defaultConfig().feedback;

const compact = (t: ReturnType<typeof verdictTimeline>) => t.steps.map((s) => `${s.atMs}:${s.output.led}${s.output.buzzer ? '+buzz' : ''}`);

describe('feedback patterns (docs/DESIGN.md table)', () => {
  it('accept: green 1 s, one short beep', () => {
    const t = patternFor('accept', DEFAULT_FEEDBACK);
    expect(compact(t)).toEqual(['0:green+buzz', '80:green', '1000:off']);
    expect(t).toMatchObject({ durationMs: 1000, loop: false });
  });

  it('warn: amber 2 s, two short beeps', () => {
    expect(compact(patternFor('warn', DEFAULT_FEEDBACK))).toEqual(['0:amber+buzz', '80:amber', '200:amber+buzz', '280:amber', '2000:off']);
  });

  it('reject: red 2 s, one long buzz', () => {
    expect(compact(patternFor('reject', DEFAULT_FEEDBACK))).toEqual(['0:red+buzz', '800:red', '2000:off']);
  });

  it('a buzzer longer than the LED extends the pattern and still ends dark', () => {
    const t = verdictTimeline({ led: 'red', ledMs: 100, buzzer: [300] });
    expect(compact(t)).toEqual(['0:red+buzz', '100:off+buzz', '300:off']);
    expect(t.durationMs).toBe(300);
  });

  it('a silent pattern has no buzzer step', () => {
    expect(compact(verdictTimeline({ led: 'green', ledMs: 500, buzzer: [] }))).toEqual(['0:green', '500:off']);
  });

  it('alert: amber blinking, silent, looping', () => {
    const t = blinkTimeline(DEFAULT_FEEDBACK.alert);
    expect(compact(t)).toEqual(['0:amber', '500:off']);
    expect(t).toMatchObject({ durationMs: 1000, loop: true });
  });

  it('describes a pattern in plain words', () => {
    expect(describeFeedback(DEFAULT_FEEDBACK.accept)).toBe('green 1 s, 1 short beep');
    expect(describeFeedback(DEFAULT_FEEDBACK.warn)).toBe('amber 2 s, 2 short beeps');
    expect(describeFeedback(DEFAULT_FEEDBACK.reject)).toBe('red 2 s, 1 long buzz');
  });
});
