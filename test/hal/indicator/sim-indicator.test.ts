import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { SimIndicator, drawOutput } from '../../../hal/indicator/sim-indicator.js';
import { patternFor } from '../../../hal/indicator/patterns.js';
import { VirtualTimers } from '../helpers/virtual-timers.js';
import { defaultConfig } from '../../../firmware-ts/config/schema.js';

const DEFAULT_FEEDBACK = defaultConfig().feedback;

describe('SimIndicator', () => {
  it('draws the LEDs and buzzer, one line per change when not on a terminal', async () => {
    const timers = new VirtualTimers();
    const out = new PassThrough();
    const ind = new SimIndicator({ draw: out, timers });
    await ind.open();
    ind.play(patternFor('accept', DEFAULT_FEEDBACK));
    timers.advance(2000);
    // Dark when opened, then the accept pattern: green with a beep, green, dark.
    expect(String(out.read())).toBe('  LED [○ ○ ○]   off\n  LED [● ○ ○] ♪ green + buzzer\n  LED [● ○ ○]   green\n  LED [○ ○ ○]   off\n');
  });

  it('redraws one line in place on a terminal', async () => {
    const timers = new VirtualTimers();
    const out = new PassThrough();
    const ind = new SimIndicator({ draw: out, timers, color: true });
    await ind.open();
    ind.play(patternFor('reject', DEFAULT_FEEDBACK));
    const text = String(out.read());
    expect(text).toBe('\x1b[2K  LED [○ ○ ○]   off\r\x1b[2K  LED [○ ○ \x1b[31m●\x1b[0m] ♪ red + buzzer\r');
  });

  it('drawOutput shows which LED is lit and the buzzer', () => {
    expect(drawOutput({ led: 'amber', buzzer: false })).toBe('[○ ● ○]  ');
    expect(drawOutput({ led: 'off', buzzer: true })).toBe('[○ ○ ○] ♪');
  });
});
