/**
 * Starts Debian's Chromium headless through playwright-core, for the screen's end-to-end tests,
 * its benchmark and the README screenshots. The flags keep Chromium from phoning home (component
 * updates, sync, QUIC probes): the test machines and the appliance have a closed network.
 * @module
 */
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

/** Chromium binary; `ROADSCAN_CHROMIUM` overrides the Debian path. */
export const CHROMIUM_PATH = process.env.ROADSCAN_CHROMIUM ?? '/usr/bin/chromium';

export const HEADLESS_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
] as const;

export async function launchHeadlessChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(`chromium not found at ${CHROMIUM_PATH}: apt-get install -y chromium (or set ROADSCAN_CHROMIUM)`);
  }
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: [...HEADLESS_ARGS] });
}
