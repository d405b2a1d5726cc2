import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LedClassIndicator } from '../../../hal/indicator/led-class-indicator.js';
import { patternFor } from '../../../hal/indicator/patterns.js';
import { addLed } from '../helpers/fake-sysfs.js';
import { VirtualTimers } from '../helpers/virtual-timers.js';
import { defaultConfig } from '../../../firmware-ts/config/schema.js';

const DEFAULT_FEEDBACK = defaultConfig().feedback;

let root: string;
let timers: VirtualTimers;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'roadscan-leds-'));
  timers = new VirtualTimers();
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

describe('LedClassIndicator over a fake /sys/class/leds', () => {
  it('writes max_brightness and 0 to each brightness file as the pattern runs', async () => {
    const files = {
      green: addLed(root, 'roadscan:green'),
      amber: addLed(root, 'roadscan:amber'),
      red: addLed(root, 'roadscan:red'),
      buzzer: addLed(root, 'roadscan:buzzer'),
    };
    const ind = new LedClassIndicator({
      leds: { green: 'roadscan:green', amber: 'roadscan:amber', red: 'roadscan:red', buzzer: 'roadscan:buzzer' },
      sysfsRoot: root,
      timers,
    });
    const read = () => Object.values(files).map((f) => readFileSync(f, 'utf8'));
    await ind.open();
    ind.play(patternFor('reject', DEFAULT_FEEDBACK));
    expect(read()).toEqual(['0', '0', '1', '1']);
    timers.advance(900);
    expect(read()).toEqual(['0', '0', '1', '0']);
    timers.advance(2000);
    expect(read()).toEqual(['0', '0', '0', '0']);
    await ind.close();
  });

  it('a missing LED is a clear start-up error', async () => {
    const ind = new LedClassIndicator({
      leds: { green: 'roadscan:green', amber: null, red: null, buzzer: null },
      sysfsRoot: root,
      timers,
    });
    await expect(ind.open()).rejects.toThrow(/roadscan:green for green: not found: add a gpio-led overlay/);
  });

  it('refuses names that would leave /sys/class/leds', async () => {
    const ind = new LedClassIndicator({ leds: { green: '../../etc', amber: null, red: null, buzzer: null }, sysfsRoot: root, timers });
    await expect(ind.open()).rejects.toThrow('LED for green: "../../etc" is not an LED class name');
  });
});
