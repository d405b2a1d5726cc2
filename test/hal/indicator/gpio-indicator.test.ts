import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { GpioIndicator, type GpioFactory, type GpioIndicatorOptions } from '../../../hal/indicator/gpio-indicator.js';
import { blinkTimeline, patternFor } from '../../../hal/indicator/patterns.js';
import { addGpioChip } from '../helpers/fake-sysfs.js';
import { VirtualTimers } from '../helpers/virtual-timers.js';
import { defaultConfig } from '../../../firmware-ts/config/schema.js';

const DEFAULT_FEEDBACK = defaultConfig().feedback;

/** A GPIO double: records every write with the virtual time and the line's physical level. */
class GpioDouble {
  readonly writes: string[] = [];
  readonly level = new Map<number, 0 | 1>();
  readonly opened: { gpio: number; activeLow: boolean }[] = [];
  readonly unexported: number[] = [];
  constructor(
    private readonly timers: VirtualTimers,
    private readonly failOn: Map<number, string> = new Map(),
  ) {}
  factory: GpioFactory = (gpio, { activeLow }) => {
    const code = this.failOn.get(gpio);
    if (code) throw Object.assign(new Error(`${code}: open '/sys/class/gpio/export'`), { code });
    this.opened.push({ gpio, activeLow });
    return {
      writeSync: (v) => {
        const physical = (activeLow ? 1 - v : v) as 0 | 1;
        if (this.level.get(gpio) !== physical) this.writes.push(`${this.timers.now()}:${gpio}=${physical}`);
        this.level.set(gpio, physical);
      },
      unexport: () => this.unexported.push(gpio),
    };
  };
}

let root: string;
let timers: VirtualTimers;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'roadscan-gpio-'));
  addGpioChip(root, 512, 'pinctrl-bcm2711', 58);
  timers = new VirtualTimers();
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

// green GPIO17 -> 529, amber GPIO27 -> 539, red GPIO22 -> 534, buzzer GPIO18 -> 530
const LINES = { green: 17, amber: 27, red: 22, buzzer: 18 };

function make(double: GpioDouble, over: Partial<GpioIndicatorOptions> = {}) {
  return new GpioIndicator({
    lines: LINES,
    chipLabel: null,
    activeLow: false,
    buzzerActiveLow: null,
    sysfsRoot: root,
    gpioFactory: double.factory,
    timers,
    wallClock: () => timers.now(),
    ...over,
  });
}

describe('GpioIndicator with an injected GPIO double', () => {
  it('resolves lines on the chip base and drives the accept pattern with its timing', async () => {
    const gpio = new GpioDouble(timers);
    const ind = make(gpio);
    await ind.open();
    expect(gpio.opened.map((o) => o.gpio)).toEqual([529, 539, 534, 530]);
    gpio.writes.length = 0;
    ind.play(patternFor('accept', DEFAULT_FEEDBACK));
    timers.advance(3000);
    expect(gpio.writes).toEqual(['0:529=1', '0:530=1', '80:530=0', '1000:529=0']);
  });

  it('warn: amber 2 s with two beeps; reject: red 2 s with one long buzz', async () => {
    const gpio = new GpioDouble(timers);
    const ind = make(gpio);
    await ind.open();
    gpio.writes.length = 0;
    ind.play(patternFor('warn', DEFAULT_FEEDBACK));
    timers.advance(2500);
    ind.play(patternFor('reject', DEFAULT_FEEDBACK));
    timers.advance(2500);
    expect(gpio.writes).toEqual(['0:539=1', '0:530=1', '80:530=0', '200:530=1', '280:530=0', '2000:539=0', '2500:534=1', '2500:530=1', '3300:530=0', '4500:534=0']);
  });

  it('a new scan cuts the running pattern short', async () => {
    const gpio = new GpioDouble(timers);
    const ind = make(gpio);
    await ind.open();
    gpio.writes.length = 0;
    ind.play(patternFor('reject', DEFAULT_FEEDBACK));
    timers.advance(100);
    ind.play(patternFor('accept', DEFAULT_FEEDBACK));
    timers.advance(3000);
    expect(gpio.writes).toEqual(['0:534=1', '0:530=1', '100:529=1', '100:534=0', '180:530=0', '1100:529=0']);
  });

  it('emits the outputs it applies as events', async () => {
    const ind = make(new GpioDouble(timers));
    const events: string[] = [];
    ind.on('output', (o) => events.push(`${o.t}:${o.led}:${o.buzzer}`));
    await ind.open();
    ind.setBackground(blinkTimeline(DEFAULT_FEEDBACK.alert));
    timers.advance(1100);
    expect(events).toEqual(['0:amber:false', '500:off:false', '1000:amber:false']);
  });

  it('active-low lines are written inverted, the buzzer may differ', async () => {
    const gpio = new GpioDouble(timers);
    const ind = make(gpio, { activeLow: true, buzzerActiveLow: false });
    await ind.open();
    expect(gpio.opened.map((o) => o.activeLow)).toEqual([true, true, true, false]);
    expect([529, 539, 534, 530].map((g) => gpio.level.get(g))).toEqual([1, 1, 1, 0]);
    ind.play(patternFor('accept', DEFAULT_FEEDBACK));
    expect([529, 530].map((g) => gpio.level.get(g))).toEqual([0, 1]);
  });

  it('with no amber line, amber lights green and red together', async () => {
    const gpio = new GpioDouble(timers);
    const ind = make(gpio, { lines: { ...LINES, amber: null } });
    await ind.open();
    ind.play(patternFor('warn', DEFAULT_FEEDBACK));
    expect([529, 534].map((g) => gpio.level.get(g))).toEqual([1, 1]);
  });

  it('close() switches everything off and releases the lines', async () => {
    const gpio = new GpioDouble(timers);
    const ind = make(gpio);
    await ind.open();
    ind.play(patternFor('reject', DEFAULT_FEEDBACK));
    await ind.close();
    expect([529, 539, 534, 530].map((g) => gpio.level.get(g))).toEqual([0, 0, 0, 0]);
    expect(gpio.unexported.sort()).toEqual([529, 530, 534, 539]);
  });

  it('a line that cannot be had stops the start with a clear message and releases the others', async () => {
    const gpio = new GpioDouble(timers, new Map([[534, 'EACCES']]));
    const ind = make(gpio);
    await expect(ind.open()).rejects.toThrow('GPIO line 22 (sysfs gpio 534) for red on pinctrl-bcm2711: permission denied: add the service user to the gpio group');
    expect(gpio.unexported.sort()).toEqual([529, 539]);
  });

  it('a busy line says so', async () => {
    const ind = make(new GpioDouble(timers, new Map([[529, 'EBUSY']])));
    await expect(ind.open()).rejects.toThrow(/GPIO line 17 \(sysfs gpio 529\) for green on pinctrl-bcm2711: line busy/);
  });

  it('a line beyond the chip is refused before touching GPIO', async () => {
    const gpio = new GpioDouble(timers);
    await expect(make(gpio, { lines: { ...LINES, buzzer: 99 } }).open()).rejects.toThrow(
      'GPIO line 99 for buzzer on pinctrl-bcm2711: line 99 does not exist on pinctrl-bcm2711 (lines 0 to 57)',
    );
  });

  it('no usable chip is a start-up error', async () => {
    await expect(make(new GpioDouble(timers), { chipLabel: 'pinctrl-rp1' }).open()).rejects.toThrow(
      'GPIO: no GPIO chip labelled "pinctrl-rp1"; chips present: pinctrl-bcm2711 (base 512)',
    );
  });
});
