/**
 * The serial devices of this machine, as `roadscan scanner list` shows them: from
 * `SerialPort.list()` (udev's vendor, product and serial number, and the /dev/serial/by-id link
 * that stays the same when the scanner is plugged into another port), with whether this user may
 * open each one. USB descriptors are written by whoever made the device: every text is made one
 * safe line. Where udev cannot be asked (`udevadm` missing, as in a container), the /dev names
 * alone are listed and `source` says so.
 * @module
 */
import { accessSync, constants, readdirSync, realpathSync } from 'node:fs';
import { join } from 'node:path';
import { oneLine } from '../../firmware-ts/core/text-safety.js';

export interface SerialPortEntry {
  /** The device, e.g. /dev/ttyACM0. */
  path: string;
  /** The stable link under /dev/serial/by-id, when udev made one. */
  byId: string | null;
  /** The manufacturer's name and the USB vendor and product ids (hex), when known. */
  vendor: string | null;
  vendorId: string | null;
  productId: string | null;
  serialNumber: string | null;
  /** This user may read and write it (else: the dialout group). */
  access: boolean;
}

export interface SerialPortListing {
  /** `udev`: SerialPort.list(); `dev`: the /dev names only (udev could not be asked, `reason`). */
  source: 'udev' | 'dev';
  reason?: string;
  ports: SerialPortEntry[];
}

/** What SerialPort.list() gives per port (@serialport/bindings-interface PortInfo). */
export interface PortInfoLike {
  path: string;
  manufacturer?: string | undefined;
  serialNumber?: string | undefined;
  pnpId?: string | undefined;
  vendorId?: string | undefined;
  productId?: string | undefined;
}

const BY_ID = '/dev/serial/by-id';
const DEV_NAME = /^tty(ACM|USB|AMA)\d+$|^serial\d+$/;

const text = (v: unknown, max = 80): string | null => (typeof v === 'string' && v.trim() !== '' ? oneLine(v, max) : null);

function canOpen(path: string): boolean {
  try {
    accessSync(path, constants.R_OK | constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

/** Device -> its by-id links (read from the folder: a link name is all udev had to say). */
function byIdLinks(): Map<string, string> {
  const out = new Map<string, string>();
  try {
    for (const name of readdirSync(BY_ID).slice(0, 256)) {
      const link = join(BY_ID, name);
      try {
        out.set(realpathSync(link), link);
      } catch {
        // A dangling link: the device just went.
      }
    }
  } catch {
    // No folder: no USB serial device plugged in.
  }
  return out;
}

/** The entries of SerialPort.list()'s answer (a pure function of it and of the by-id links). */
export function entriesOf(infos: readonly PortInfoLike[], links: ReadonlyMap<string, string>, access: (path: string) => boolean = canOpen): SerialPortEntry[] {
  return infos
    .filter((p) => typeof p.path === 'string' && p.path.startsWith('/dev/'))
    .slice(0, 256)
    .map((p) => {
      const path = oneLine(p.path, 200);
      const pnp = text(p.pnpId, 200);
      return {
        path,
        byId: links.get(p.path) ?? (pnp ? `${BY_ID}/${pnp}` : null),
        vendor: text(p.manufacturer),
        vendorId: text(p.vendorId, 8),
        productId: text(p.productId, 8),
        serialNumber: text(p.serialNumber),
        access: access(p.path),
      };
    })
    .sort((a, b) => a.path.localeCompare(b.path));
}

/** Every serial device, from udev when it can be asked, else from /dev. */
export async function listSerialPorts(): Promise<SerialPortListing> {
  const links = byIdLinks();
  try {
    const { SerialPort } = await import('serialport');
    return { source: 'udev', ports: entriesOf(await SerialPort.list(), links) };
  } catch (err) {
    let names: string[] = [];
    try {
      names = readdirSync('/dev').filter((n) => DEV_NAME.test(n));
    } catch {
      names = [];
    }
    const paths = new Set([...names.map((n) => join('/dev', n)), ...links.keys()]);
    return {
      source: 'dev',
      reason: oneLine((err as Error)?.message ?? String(err), 200),
      ports: entriesOf(
        [...paths].map((path) => ({ path })),
        links,
      ),
    };
  }
}
