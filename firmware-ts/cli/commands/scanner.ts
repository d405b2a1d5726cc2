/**
 * `roadscan scanner list` and `roadscan scanner monitor DEVICE`: the two things a technician
 * needs when a scanner module will not scan. `list` shows the serial devices with their stable
 * /dev/serial/by-id links and whether this user may open them; `monitor` shows each frame as it
 * arrives with its terminator and AIM identifier, every byte shown safely (hal/scanner/raw-frames.ts),
 * until Ctrl-C.
 * @module
 */
import { Option, type Command } from 'commander';
import { UsageError } from '../usage-error.js';

export function register(program: Command): void {
  const scanner = program.command('scanner').description('serial scanner tools: list devices, watch raw frames');
  scanner
    .command('list')
    .description('serial devices with their /dev/serial/by-id links and whether they can be opened')
    .action(async () => {
      process.stdout.write(`${(await listSerialDevices()).join('\n')}\n`);
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

async function listSerialDevices(): Promise<string[]> {
  const { accessSync, constants, readdirSync, realpathSync } = await import('node:fs');
  const { join } = await import('node:path');
  const byId = new Map<string, string[]>();
  try {
    for (const name of readdirSync('/dev/serial/by-id')) {
      const link = join('/dev/serial/by-id', name);
      const target = realpathSync(link);
      byId.set(target, [...(byId.get(target) ?? []), link]);
    }
  } catch {
    // No by-id folder: no USB serial device plugged in.
  }
  let devices: string[] = [];
  try {
    devices = readdirSync('/dev')
      .filter((n) => /^tty(ACM|USB|AMA)\d+$|^serial\d+$/.test(n))
      .map((n) => join('/dev', n));
  } catch {
    devices = [];
  }
  for (const t of byId.keys()) if (!devices.includes(t)) devices.push(t);
  if (devices.length === 0) return ['no serial devices (plug the scanner in; USB scanners appear as /dev/ttyACM* or /dev/ttyUSB*)'];
  return devices.sort().map((d) => {
    let access = 'ok';
    try {
      accessSync(d, constants.R_OK | constants.W_OK);
    } catch {
      access = 'no permission: add this user to the dialout group';
    }
    const links = byId.get(d);
    return `${d}  ${links ? links.join(' ') : '(no by-id link)'}  ${access}`;
  });
}

async function monitor(device: string, baudRate: number): Promise<number> {
  if (!Number.isInteger(baudRate) || baudRate < 50 || baudRate > 4_000_000) throw new UsageError(`--baud: expected a baud rate, got ${baudRate}`);
  const { SerialPort } = await import('serialport');
  const { RawFrameSplitter, describeRawFrame } = await import('../../../hal/scanner/raw-frames.js');
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
