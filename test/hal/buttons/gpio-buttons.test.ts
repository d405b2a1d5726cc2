/**
 * The GPIO buttons against an injected GPIO double on a fake sysfs tree, with virtual timers:
 * a clean press, contact bounce on press and release, a hold (one action, no repeat), a button
 * already down at start, active-low wiring, and lines that cannot be had.
 * @module
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createButtons, GpioButtons, type ButtonFault, type ButtonPress, type GpioButtonsOptions, type GpioInputFactory } from '../../../hal/buttons/index.js';
import { addGpioChip } from '../helpers/fake-sysfs.js';
import { VirtualTimers } from '../helpers/virtual-timers.js';

/** Input lines whose physical level the test sets; edges go to the watcher as onoff would send them. */
class GpioInputDouble {
  readonly physical = new Map<number, 0 | 1>();
  readonly opened: { gpio: number; activeLow: boolean }[] = [];
  readonly unexported: number[] = [];
  private readonly watchers = new Map<number, (err: Error | null, v: 0 | 1) => void>();
  private readonly activeLow = new Map<number, boolean>();
  constructor(private readonly failOn = new Map<number, string>()) {}
  factory: GpioInputFactory = (gpio, { activeLow }) => {
    const code = this.failOn.get(gpio);
    if (code) throw Object.assign(new Error(`${code}: open '/sys/class/gpio/export'`), { code });
    this.opened.push({ gpio, activeLow });
    this.activeLow.set(gpio, activeLow);
    if (!this.physical.has(gpio)) this.physical.set(gpio, activeLow ? 1 : 0);
    return {
      readSync: () => this.value(gpio),
      watch: (cb) => this.watchers.set(gpio, cb),
      unwatchAll: () => this.watchers.delete(gpio),
      unexport: () => this.unexported.push(gpio),
    };
  };
  /** The value onoff reports: inverted for an active-low line. */
  private value(gpio: number): 0 | 1 {
    const p = this.physical.get(gpio) ?? 0;
    return (this.activeLow.get(gpio) ? 1 - p : p) as 0 | 1;
  }
  setPhysical(gpio: number, level: 0 | 1): void {
    if (this.physical.get(gpio) === level) return;
    this.physical.set(gpio, level);
    this.watchers.get(gpio)?.(null, this.value(gpio));
  }
  fail(gpio: number, message: string): void {
    this.watchers.get(gpio)?.(new Error(message), 0);
  }
}

let root: string;
let timers: VirtualTimers;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'roadscan-buttons-'));
  addGpioChip(root, 512, 'pinctrl-bcm2711', 58);
  timers = new VirtualTimers();
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

// confirm GPIO5 -> 517, refuse GPIO6 -> 518
const CONFIRM = 517;
const REFUSE = 518;

async function open(gpio: GpioInputDouble, over: Partial<GpioButtonsOptions> = {}) {
  const buttons = new GpioButtons({
    lines: { confirm: 5, refuse: 6 },
    chipLabel: null,
    activeLow: false,
    debounceMs: 30,
    stuckMs: 5000,
    sysfsRoot: root,
    gpioFactory: gpio.factory,
    timers,
    ...over,
  });
  const presses: ButtonPress[] = [];
  const faults: ButtonFault[] = [];
  buttons.on('press', (p) => presses.push(p));
  buttons.on('fault', (f) => faults.push(f));
  await buttons.open();
  return { buttons, presses, faults };
}

/** Presses or releases with contact bounce: `flips` alternations 2 ms apart, ending at `level`. */
function bounce(gpio: GpioInputDouble, line: number, level: 0 | 1, flips: number) {
  for (let i = 0; i < flips; i++) {
    gpio.setPhysical(line, (i % 2 === 0 ? level : 1 - level) as 0 | 1);
    timers.advance(2);
  }
  gpio.setPhysical(line, level);
}

describe('GpioButtons with an injected GPIO double', () => {
  it('a clean press is one action, reported once the level held still for the debounce time', async () => {
    const gpio = new GpioInputDouble();
    const { presses } = await open(gpio);
    expect(gpio.opened).toEqual([
      { gpio: CONFIRM, activeLow: false },
      { gpio: REFUSE, activeLow: false },
    ]);
    timers.advance(100);
    gpio.setPhysical(CONFIRM, 1);
    timers.advance(29);
    expect(presses).toEqual([]);
    timers.advance(1);
    expect(presses).toEqual([{ button: 'confirm', atMs: 130 }]);
    gpio.setPhysical(CONFIRM, 0);
    timers.advance(100);
    gpio.setPhysical(REFUSE, 1);
    timers.advance(100);
    expect(presses.map((p) => p.button)).toEqual(['confirm', 'refuse']);
  });

  it('contact bounce on press and on release counts as one press', async () => {
    const gpio = new GpioInputDouble();
    const { presses } = await open(gpio);
    bounce(gpio, REFUSE, 1, 7);
    timers.advance(200);
    bounce(gpio, REFUSE, 0, 9);
    timers.advance(200);
    expect(presses.map((p) => p.button)).toEqual(['refuse']);
    // A glitch shorter than the debounce time is no press at all.
    gpio.setPhysical(CONFIRM, 1);
    timers.advance(10);
    gpio.setPhysical(CONFIRM, 0);
    timers.advance(200);
    expect(presses).toHaveLength(1);
  });

  it('holding a button is one action, never a repeat; the next press needs a release', async () => {
    const gpio = new GpioInputDouble();
    const { presses, faults } = await open(gpio, { stuckMs: 3000 });
    gpio.setPhysical(CONFIRM, 1);
    timers.advance(2000);
    expect(presses).toHaveLength(1);
    timers.advance(2000);
    expect(presses).toHaveLength(1);
    expect(faults).toEqual([{ button: 'confirm', message: 'held down for more than 3000 ms (stuck?)' }]);
    bounce(gpio, CONFIRM, 0, 4);
    timers.advance(100);
    gpio.setPhysical(CONFIRM, 1);
    timers.advance(100);
    expect(presses).toHaveLength(2);
    expect(faults).toHaveLength(1);
  });

  it('a button already down at start is no press until it has been let go', async () => {
    const gpio = new GpioInputDouble();
    gpio.physical.set(CONFIRM, 1);
    const { presses } = await open(gpio);
    timers.advance(1000);
    expect(presses).toEqual([]);
    gpio.setPhysical(CONFIRM, 0);
    timers.advance(100);
    gpio.setPhysical(CONFIRM, 1);
    timers.advance(100);
    expect(presses.map((p) => p.button)).toEqual(['confirm']);
  });

  it('active-low wiring: pulling the line low is the press', async () => {
    const gpio = new GpioInputDouble();
    const { presses } = await open(gpio, { activeLow: true });
    expect(gpio.opened.every((o) => o.activeLow)).toBe(true);
    expect(gpio.physical.get(REFUSE)).toBe(1); // pulled up at rest
    timers.advance(100);
    expect(presses).toEqual([]);
    gpio.setPhysical(REFUSE, 0);
    timers.advance(50);
    expect(presses.map((p) => p.button)).toEqual(['refuse']);
  });

  it('a read error is a fault, not a crash, and closing stops every event', async () => {
    const gpio = new GpioInputDouble();
    const { buttons, presses, faults } = await open(gpio);
    gpio.fail(CONFIRM, 'EIO: read\u001b[31m failed');
    expect(faults[0]!.message).not.toMatch(/\u001b/);
    expect(faults[0]!.button).toBe('confirm');
    gpio.setPhysical(CONFIRM, 1);
    await buttons.close();
    timers.advance(100);
    expect(presses).toEqual([]);
    expect(gpio.unexported.sort()).toEqual([CONFIRM, REFUSE]);
  });

  it('a line that cannot be had says which one and what to do, and releases the others', async () => {
    const gpio = new GpioInputDouble(new Map([[REFUSE, 'EBUSY']]));
    await expect(open(gpio)).rejects.toThrow(/GPIO line 6 \(sysfs gpio 518\) for the refuse button on pinctrl-bcm2711: line busy/);
    expect(gpio.unexported).toEqual([CONFIRM]);
    await expect(open(new GpioInputDouble(), { lines: { confirm: 99, refuse: null } })).rejects.toThrow(/line 99 does not exist/);
    expect(() => new GpioButtons({ lines: { confirm: 5, refuse: 5 }, chipLabel: null, activeLow: true, debounceMs: 30, stuckMs: 0 })).toThrow(/both on line 5/);
  });

  it('createButtons: none fitted, sim keys, or gpio with only one button', async () => {
    expect(await createButtons({ driver: 'none' })).toBeNull();
    expect(await createButtons({ driver: 'gpio', lines: { confirm: null, refuse: null } })).toBeNull();
    const sim = (await createButtons({ driver: 'sim' }))! as import('../../../hal/buttons/index.js').SimButtons;
    const got: string[] = [];
    sim.on('press', (p) => got.push(p.button));
    await sim.open();
    expect([sim.pressKey('c'), sim.pressKey(' R '), sim.pressKey('RS1:xyz')]).toEqual([true, true, false]);
    expect(got).toEqual(['confirm', 'refuse']);
    const gpio = new GpioInputDouble();
    const one = await createButtons({ driver: 'gpio', lines: { confirm: 5, refuse: null }, sysfsRoot: root, gpioFactory: gpio.factory, timers });
    await one!.open();
    expect(gpio.opened).toEqual([{ gpio: CONFIRM, activeLow: true }]);
    await one!.close();
  });
});
