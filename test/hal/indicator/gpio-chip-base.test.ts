import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { findGpioChip, listGpioChips, sysfsGpioNumber } from '../../../hal/indicator/gpio-chip-base.js';
import { addGpioChip } from '../helpers/fake-sysfs.js';

let root: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'roadscan-sysfs-'));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

describe('GPIO chip base resolution over a fake sysfs tree', () => {
  it('Pi 4 on kernel 6.6+: header chip at base 512, GPIO17 is sysfs 529', () => {
    addGpioChip(root, 512, 'pinctrl-bcm2711', 58);
    addGpioChip(root, 570, 'raspberrypi-exp-gpio', 8);
    const chip = findGpioChip(null, root);
    expect(chip).toMatchObject({ label: 'pinctrl-bcm2711', base: 512, ngpio: 58 });
    expect(sysfsGpioNumber(chip, 17)).toBe(529);
  });

  it('Pi 5: the RP1 chip (base 571) wins over the SoC chip', () => {
    addGpioChip(root, 512, 'gpio-brcmstb@107d508500', 32);
    addGpioChip(root, 544, 'gpio-brcmstb@107d508520', 4);
    addGpioChip(root, 571, 'pinctrl-rp1', 54);
    expect(sysfsGpioNumber(findGpioChip(null, root), 17)).toBe(588);
  });

  it('older kernels: base 0', () => {
    addGpioChip(root, 0, 'pinctrl-bcm2835', 54);
    addGpioChip(root, 504, 'raspberrypi-exp-gpio', 8);
    expect(sysfsGpioNumber(findGpioChip(null, root), 17)).toBe(17);
  });

  it('a configured label picks that chip', () => {
    addGpioChip(root, 0, 'pinctrl-bcm2835', 54);
    addGpioChip(root, 504, 'raspberrypi-exp-gpio', 8);
    expect(findGpioChip('raspberrypi-exp-gpio', root).base).toBe(504);
  });

  it('lists chips sorted by base and skips unreadable ones', () => {
    addGpioChip(root, 600, 'b', 4);
    addGpioChip(root, 512, 'a', 4);
    expect(listGpioChips(root).map((c) => c.label)).toEqual(['a', 'b']);
  });

  it('says which chips exist when the label is not found', () => {
    addGpioChip(root, 512, 'pinctrl-bcm2711', 58);
    expect(() => findGpioChip('pinctrl-rp1', root)).toThrow('no GPIO chip labelled "pinctrl-rp1"; chips present: pinctrl-bcm2711 (base 512)');
  });

  it('refuses a line beyond the chip', () => {
    addGpioChip(root, 512, 'pinctrl-bcm2711', 58);
    expect(() => sysfsGpioNumber(findGpioChip(null, root), 58)).toThrow('line 58 does not exist on pinctrl-bcm2711 (lines 0 to 57)');
  });

  it('explains a kernel without sysfs GPIO', () => {
    expect(() => findGpioChip(null, root)).toThrow(/no sysfs GPIO interface; use "indicator": \{"driver": "led-class"\}/);
  });

  it('explains a tree with no Pi header chip', () => {
    addGpioChip(root, 0, 'some-other-gpio', 8);
    expect(() => findGpioChip(null, root)).toThrow(/no Raspberry Pi header GPIO chip found; set gpio.chipLabel/);
  });
});
