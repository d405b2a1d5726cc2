/** Fake sysfs trees in a temp folder: gpiochips with labels and bases, LED class devices. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export function addGpioChip(root: string, base: number, label: string, ngpio: number): void {
  const dir = join(root, 'class', 'gpio', `gpiochip${base}`);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'base'), `${base}\n`);
  writeFileSync(join(dir, 'label'), `${label}\n`);
  writeFileSync(join(dir, 'ngpio'), `${ngpio}\n`);
}

export function addLed(root: string, name: string, maxBrightness = 1): string {
  const dir = join(root, 'class', 'leds', name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'max_brightness'), `${maxBrightness}\n`);
  writeFileSync(join(dir, 'brightness'), '0');
  return join(dir, 'brightness');
}
