/**
 * Finding the sysfs GPIO number of a header pin.
 *
 * The sysfs GPIO interface numbers lines globally: chip base + line offset. Older Raspberry Pi
 * kernels put the header's chip at base 0, so "GPIO17" was sysfs gpio 17; since kernel 6.6
 * (Raspberry Pi OS Bookworm) dynamic bases start at 512, so GPIO17 is gpio 529 on a Pi 4 and
 * 588 on a Pi 5 (chip `pinctrl-rp1`, base 571). The base is therefore read from the gpiochip
 * whose `label` matches, never assumed. The sysfs root is a parameter so a fake tree can stand in.
 * @module
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

/** Labels of the chip carrying the 40-pin header, newest boards first. */
export const KNOWN_HEADER_CHIP_LABELS = ['pinctrl-rp1', 'pinctrl-bcm2712', 'pinctrl-bcm2711', 'pinctrl-bcm2835'] as const;

export interface GpioChip {
  /** Directory name, e.g. "gpiochip512". */
  name: string;
  label: string;
  base: number;
  ngpio: number;
}

export class GpioChipError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'GpioChipError';
  }
}

function readSmall(file: string): string {
  return readFileSync(file, 'utf8').slice(0, 256).trim();
}

/** Every gpiochip under `<sysfsRoot>/class/gpio`, sorted by base. */
export function listGpioChips(sysfsRoot = '/sys'): GpioChip[] {
  const dir = join(sysfsRoot, 'class', 'gpio');
  let names: string[];
  try {
    names = readdirSync(dir).filter((n) => /^gpiochip\d+$/.test(n));
  } catch {
    throw new GpioChipError(`${dir} not found: this kernel has no sysfs GPIO interface; use "indicator": {"driver": "led-class"} with gpio-led overlays`);
  }
  const chips: GpioChip[] = [];
  for (const name of names) {
    try {
      const base = Number(readSmall(join(dir, name, 'base')));
      const ngpio = Number(readSmall(join(dir, name, 'ngpio')));
      const label = readSmall(join(dir, name, 'label'));
      if (Number.isInteger(base) && base >= 0 && Number.isInteger(ngpio) && ngpio > 0) {
        chips.push({ name, label, base, ngpio });
      }
    } catch {
      // A chip we cannot read is not ours to use.
    }
  }
  return chips.sort((a, b) => a.base - b.base);
}

/**
 * The chip carrying the configured lines: the one labelled `label`, or with `label` null the
 * first known Raspberry Pi header chip present.
 */
export function findGpioChip(label: string | null, sysfsRoot = '/sys'): GpioChip {
  const chips = listGpioChips(sysfsRoot);
  const present = chips.map((c) => `${c.label} (base ${c.base})`).join(', ') || 'none';
  if (label !== null) {
    const chip = chips.find((c) => c.label === label);
    if (!chip) throw new GpioChipError(`no GPIO chip labelled "${label}"; chips present: ${present}`);
    return chip;
  }
  for (const known of KNOWN_HEADER_CHIP_LABELS) {
    const chip = chips.find((c) => c.label === known);
    if (chip) return chip;
  }
  throw new GpioChipError(`no Raspberry Pi header GPIO chip found; set gpio.chipLabel (chips present: ${present})`);
}

/** Sysfs GPIO number of line `offset` on `chip`; throws when the chip has no such line. */
export function sysfsGpioNumber(chip: GpioChip, offset: number): number {
  if (!Number.isInteger(offset) || offset < 0 || offset >= chip.ngpio) {
    throw new GpioChipError(`line ${offset} does not exist on ${chip.label} (lines 0 to ${chip.ngpio - 1})`);
  }
  return chip.base + offset;
}
