/**
 * `roadscan run`: the appliance service (docs/CLI.md). `--hal sim|pi` picks the hardware,
 * `--scanner PATH` the serial device, `--events json` one JSON line per event on standard
 * output (logs go to standard error). Runs until SIGINT or SIGTERM, then stops cleanly: the
 * scanner released, the LEDs dark, pending state written, the database closed. SIGHUP (a closed
 * terminal, `systemctl reload`) and SIGUSR1 (Node's inspector by default) are logged and
 * ignored: a service does not die of a hang-up, and opens no debugger unless started with one.
 * @module
 */
import { Option, type Command } from 'commander';
import { addCommonOptions, type CommonOptions } from '../common-options.js';
import { UsageError } from '../usage-error.js';

interface RunOptions extends CommonOptions {
  hal: 'sim' | 'pi';
  scanner?: string;
  camera?: string;
  events?: 'json';
}

export function register(program: Command): void {
  addCommonOptions(
    program
      .command('run')
      .description('run the appliance service: scanner -> verdict -> audit log -> LEDs, buzzer and screen')
      .addOption(new Option('--hal <kind>', 'hardware: sim (terminal, simulated LEDs) or pi (serial scanner, GPIO)').choices(['sim', 'pi']).default('pi'))
      .option(
        '--scanner <path>',
        'serial device of the scanner (a tty or a pseudo-terminal); overrides scanner.path; with --hal sim, "pty" makes a pseudo-terminal pair to write codes into',
      )
      .option(
        '--camera <device>',
        'scan with a camera: /dev/videoN, rpicam[:N], or a video file or folder of pictures played as one; instead of the scanner, or alongside it with --scanner (docs/CLI.md)',
      )
      .addOption(
        new Option(
          '--events <format>',
          'write one JSON line per event (scan, indicator, scanner; decision and action at a gate or window) to standard output (docs/CLI.md)',
        ).choices(['json']),
      ),
  ).action(async (opts: RunOptions) => {
    process.exitCode = await runService(opts);
  });
}

async function runService(opts: RunOptions): Promise<number> {
  // Before anything slow: a SIGHUP during the start must not end the service by signal either.
  const said = { log: null as null | { info(o: object, m: string): void } };
  const onHup = () => said.log?.info({ signal: 'SIGHUP' }, 'SIGHUP: nothing to reload (the configuration is read at start: systemctl restart roadscan); scanning on');
  const onUsr1 = () => said.log?.info({ signal: 'SIGUSR1' }, 'SIGUSR1 ignored (the Node inspector opens only when asked: node --inspect)');
  process.on('SIGHUP', onHup);
  process.on('SIGUSR1', onUsr1);
  const { openRuntime, halOptions, guardProcess } = await import('../../app/index.js');
  const { createLogger } = await import('../../app/device-parts.js');
  const { createHal } = await import('../../app/device-parts.js');
  const { ServiceHost } = await import('../../app/service-host.js');
  const { IndicatorError } = await import('../../app/device-parts.js');
  const { SystemdNotifier, serviceStatusLine } = await import('../../app/device-parts.js');

  const rt = await openRuntime(opts);
  const logger = createLogger(rt.config);
  said.log = logger;
  guardProcess(logger);
  const systemd = SystemdNotifier.fromEnv({ log: logger });
  let host: InstanceType<typeof ServiceHost> | null = null;
  let halMade: Awaited<ReturnType<typeof createHal>> | null = null;
  try {
    const json = opts.events === 'json';
    const hal = await createHal(
      halOptions(rt.config, {
        hal: opts.hal,
        ...(opts.scanner !== undefined ? { scannerPath: opts.scanner } : {}),
        ...(opts.camera !== undefined ? { camera: opts.camera } : {}),
        drawLeds: !json && process.stderr.isTTY === true,
      }),
    );
    halMade = hal;
    host = new ServiceHost({
      rt,
      hal,
      logger,
      ...(json ? { onEvent: (e) => process.stdout.write(`${JSON.stringify(e)}\n`) } : {}),
    });
    const stopped = waitForSignal();
    try {
      await host.start();
    } catch (err) {
      stopped.cancel();
      if (err instanceof IndicatorError) throw new UsageError(err.message);
      throw err;
    }
    logger.info({ hal: opts.hal, scanner: hal.scanner.name, indicator: hal.indicator.name, profile: rt.config.profile }, 'service running');
    if (hal.ptyInput) logger.info({ input: hal.ptyInput }, `simulated scanner: write codes, one per line, to ${hal.ptyInput}`);
    // `systemctl status` follows the device (scanner lost, storage fault, station offline, stale list
    // or trust), told on every change and checked every 30 s for what changes with time alone.
    let statusLine = serviceStatusLine(host.deviceState());
    systemd?.ready(statusLine);
    const running = host;
    const restate = () => {
      const line = serviceStatusLine(running.deviceState());
      if (line === statusLine) return;
      statusLine = line;
      logger.info({ status: line }, 'device state');
      systemd?.status(line);
    };
    running.onDeviceChange(restate);
    const statusPoll = setInterval(restate, 30_000);
    statusPoll.unref();
    const signal = await stopped.signal;
    clearInterval(statusPoll);
    systemd?.stopping();
    logger.info({ signal }, 'stopping');
    return 0;
  } finally {
    // A service that could not be built (a bad trust file) still releases its hardware: the
    // simulated scanner's pseudo-terminal would otherwise keep the process alive.
    if (host) await host.stop();
    else await halMade?.close?.();
    rt.close();
    process.off('SIGHUP', onHup);
    process.off('SIGUSR1', onUsr1);
  }
}

/**
 * Resolves with the first SIGINT or SIGTERM; a second one while stopping exits at once.
 * `cancel()` forgets the handlers (a start-up that failed must let the process end).
 */
function waitForSignal(): { signal: Promise<NodeJS.Signals>; cancel(): void } {
  // The service must outlive its inputs (standard input at its end, a scanner not yet there).
  const keepAlive = setInterval(() => undefined, 1 << 30);
  let handler: (signal: NodeJS.Signals) => void = () => undefined;
  const cancel = () => {
    clearInterval(keepAlive);
    process.off('SIGINT', handler);
    process.off('SIGTERM', handler);
  };
  const signal = new Promise<NodeJS.Signals>((resolve) => {
    handler = (sig) => {
      cancel();
      process.once('SIGINT', () => process.exit(130));
      process.once('SIGTERM', () => process.exit(143));
      resolve(sig);
    };
    process.on('SIGINT', handler);
    process.on('SIGTERM', handler);
  });
  return { signal, cancel };
}
