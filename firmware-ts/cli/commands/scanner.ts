/**
 * `roadscan scanner list` and `roadscan scanner monitor DEVICE`: the two things a technician
 * needs when a scanner module will not scan. `list` shows the serial devices (SerialPort.list():
 * vendor, product, serial number, the stable /dev/serial/by-id link) and whether this user may
 * open them, `--json` for scripts; `monitor` shows each frame as it
 * arrives with its terminator and AIM identifier, every byte shown safely (hal/scanner/raw-frames.ts),
 * until Ctrl-C.
 * @module
 */
import { Option, type Command } from 'commander';
import { UsageError } from '../usage-error.js';
import type { SerialPortEntry } from '../../app/device-parts.js';

export function register(program: Command): void {
  const scanner = program.command('scanner').description('serial scanner tools: list devices, watch raw frames');
  scanner
    .command('list')
    .description('serial devices with their /dev/serial/by-id links, vendor, product and serial number, and whether they can be opened')
    .option('--json', 'print {"source":"udev|dev","ports":[{"path","byId","vendor","vendorId","productId","serialNumber","access"}]}')
    .action(async (opts: { json?: boolean }) => {
      await listSerialDevices(opts.json === true);
    });
  scanner
    .command('monitor')
    .description('show frames as they arrive: terminator, AIM identifier, bytes, text (control characters escaped); Ctrl-C ends')
    .argument('<device>', 'the serial device, e.g. /dev/serial/by-id/usb-...')
    .addOption(new Option('--baud <rate>', 'baud rate').default('9600'))
    .action(async (device: string, opts: { baud: string }) => {
      process.exitCode = await monitor(device, Number(opts.baud));
    });
}

/** One line per device: path, by-id link, vendor and product, serial number, access. */
function listLine(p: SerialPortEntry): string {
  const ids = p.vendorId || p.productId ? ` ${p.vendorId ?? '?'}:${p.productId ?? '?'}` : '';
  const vendor = p.vendor || ids ? `  ${p.vendor ?? 'vendor unknown'}${ids}` : '';
  return `${p.path}  ${p.byId ?? '(no by-id link)'}${vendor}${p.serialNumber ? `  serial ${p.serialNumber}` : ''}  ${p.access ? 'ok' : 'no permission: add this user to the dialout group'}`;
}

async function listSerialDevices(json: boolean): Promise<void> {
  const { listSerialPorts } = await import('../../app/device-parts.js');
  const listing = await listSerialPorts();
  if (json) {
    process.stdout.write(`${JSON.stringify(listing)}\n`);
    return;
  }
  const lines = listing.ports.map(listLine);
  if (lines.length === 0) lines.push('no serial devices (plug the scanner in; USB scanners appear as /dev/ttyACM* or /dev/ttyUSB*)');
  if (listing.source === 'dev') lines.push(`(vendor and serial number unknown: udev could not be asked: ${listing.reason ?? 'no reason given'})`);
  process.stdout.write(`${lines.join('\n')}\n`);
}

async function monitor(device: string, baudRate: number): Promise<number> {
  if (!Number.isInteger(baudRate) || baudRate < 50 || baudRate > 4_000_000) throw new UsageError(`--baud: expected a baud rate, got ${baudRate}`);
  const { SerialPort } = await import('serialport');
  const { RawFrameSplitter, describeRawFrame } = await import('../../app/device-parts.js');
  const { oneLine } = await import('../../core/text-safety.js');
  const port = new SerialPort({ path: device, baudRate, autoOpen: false });
  await new Promise<void>((resolve, reject) => port.open((err) => (err ? reject(new UsageError(`${device}: ${oneLine(err.message)}`)) : resolve())));
  process.stderr.write(`monitoring ${device} at ${baudRate} baud; Ctrl-C ends\n`);
  const splitter = new RawFrameSplitter();
  let quiet: NodeJS.Timeout | null = null;
  const print = (frames: ReturnType<typeof splitter.push>) => {
    for (const f of frames) if (!process.stdout.destroyed) process.stdout.write(`${describeRawFrame(f)}\n`);
  };
  port.on('data', (chunk: Buffer) => {
    print(splitter.push(chunk));
    if (quiet) clearTimeout(quiet);
    quiet = setTimeout(() => print(splitter.flush()), 100);
  });
  process.stdout.on('error', () => port.close());
  await new Promise<void>((resolve) => {
    const end = () => resolve();
    process.once('SIGINT', end);
    process.once('SIGTERM', end);
    process.once('SIGHUP', end);
    port.once('close', end);
  });
  if (quiet) clearTimeout(quiet);
  if (port.isOpen) await new Promise<void>((r) => port.close(() => r()));
  return 0;
}
