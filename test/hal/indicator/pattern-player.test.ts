import { describe, expect, it } from 'vitest';
import { PatternPlayer } from '../../../hal/indicator/pattern-player.js';
import { blinkTimeline, patternFor, type IndicatorOutput } from '../../../hal/indicator/patterns.js';
import { VirtualTimers } from '../helpers/virtual-timers.js';
import { defaultConfig } from '../../../firmware-ts/config/schema.js';

const DEFAULT_FEEDBACK = defaultConfig().feedback;

function setup() {
  const timers = new VirtualTimers();
  const log: string[] = [];
  const player = new PatternPlayer((o: IndicatorOutput) => log.push(`${timers.now()}:${o.led}${o.buzzer ? '+buzz' : ''}`), timers);
  return { timers, log, player };
}

describe('PatternPlayer', () => {
  it('plays a verdict pattern at its instants and ends dark', () => {
    const { timers, log, player } = setup();
    player.play(patternFor('warn', DEFAULT_FEEDBACK));
    timers.advance(5000);
    expect(log).toEqual(['0:amber+buzz', '80:amber', '200:amber+buzz', '280:amber', '2000:off']);
    expect(player.busy).toBe(false);
  });

  it('a new scan cuts the running pattern short', () => {
    const { timers, log, player } = setup();
    player.play(patternFor('reject', DEFAULT_FEEDBACK));
    timers.advance(300);
    player.play(patternFor('accept', DEFAULT_FEEDBACK));
    timers.advance(5000);
    expect(log).toEqual(['0:red+buzz', '300:green+buzz', '380:green', '1300:off']);
  });

  it('keeps the alert blinking in the background and resumes it after a pattern', () => {
    const { timers, log, player } = setup();
    player.setBackground(blinkTimeline(DEFAULT_FEEDBACK.alert));
    timers.advance(1200);
    player.play(patternFor('accept', DEFAULT_FEEDBACK));
    timers.advance(1600);
    player.setBackground(null);
    timers.advance(3000);
    expect(log).toEqual(['0:amber', '500:off', '1000:amber', '1200:green+buzz', '1280:green', '2200:off', '2200:amber', '2700:off']);
  });

  it('stop() leaves everything dark and ignores later patterns', () => {
    const { timers, log, player } = setup();
    player.play(patternFor('accept', DEFAULT_FEEDBACK));
    player.stop();
    player.play(patternFor('reject', DEFAULT_FEEDBACK));
    timers.advance(3000);
    expect(log).toEqual(['0:green+buzz', '0:off']);
  });
});
