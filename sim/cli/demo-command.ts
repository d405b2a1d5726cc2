/**
 * `roadscan demo` (`npm start`): the whole appliance against the simulator, in a terminal, with
 * no hardware and no setup. A throwaway test authority and database are made in a temporary
 * folder, the simulated scanner plays a roadside scenario that shows every colour, one line per
 * scan; then codes can be pasted until Ctrl-C (or it exits when standard input is not a terminal).
 * The scans go through the real checker, the real audit log and the real pattern player; the
 * status list is published by the test authority, served on loopback and fetched by the real
 * sync; the operator screen runs as on the appliance (its address is printed, nothing is opened).
 * @module
 */
import type { Command } from 'commander';

interface DemoOptions {
  config?: string;
  gap: string;
  keep?: boolean;
  interactive: boolean;
  events?: boolean;
}

export function register(program: Command): void {
  program
    .command('demo')
    .description('the whole appliance against the simulator: a scripted roadside scenario, then paste codes (npm start)')
    .option('--config <file>', 'configuration file (default config/default.json)')
    .option('--gap <ms>', 'pause between scripted scans, in milliseconds', '2400')
    .option('--no-interactive', 'exit after the scenario even on a terminal')
    .option('--keep', 'keep the temporary folder (test authority, database) and print its path')
    .option('--events', 'also print the JSON events of `run --events json`')
    .action(async (opts: DemoOptions) => {
      process.exitCode = await runDemo(opts);
    });
}

async function runDemo(opts: DemoOptions): Promise<number> {
  const { mkdtempSync, rmSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const { setTimeout: sleep } = await import('node:timers/promises');
  const { SetupError } = await import('../../firmware-ts/app/setup-error.js');
  const { openRuntime } = await import('../../firmware-ts/app/index.js');
  const { ServiceHost } = await import('../../firmware-ts/app/service-host.js');
  const { createLogger } = await import('../../firmware-ts/log/logger.js');
  const { SimScanner } = await import('../../hal/scanner/sim-scanner.js');
  const { SimIndicator } = await import('../../hal/indicator/sim-indicator.js');
  const { createDemoWorld, demoScenario, syncDemoStatusList } = await import('../scenarios/demo.js');
  const { scanLine } = await import('../scenarios/demo-lines.js');

  const gap = Number(opts.gap);
  if (!Number.isInteger(gap) || gap < 0 || gap > 60_000) throw new SetupError(`--gap: expected milliseconds from 0 to 60000, got ${JSON.stringify(opts.gap)}`);
  const out = process.stdout;
  const color = out.isTTY === true && !process.env['NO_COLOR'];
  const dim = (s: string) => (color ? `\x1b[2m${s}\x1b[0m` : s);
  const bold = (s: string) => (color ? `\x1b[1m${s}\x1b[0m` : s);
  const interactive = opts.interactive && process.stdin.isTTY === true;

  // The demo ends early, quietly and cleaned up, when its reader goes away (`roadscan demo | head`,
  // EPIPE), on Ctrl-C, on SIGTERM and when its terminal closes (SIGHUP).
  let endNow: () => void = () => undefined;
  const ended = new Promise<void>((resolve) => (endNow = resolve));
  let pipeClosed = false;
  const onOutError = (err: NodeJS.ErrnoException): void => {
    pipeClosed = true;
    if (err.code !== 'EPIPE') process.stderr.write(`roadscan demo: standard output: ${err.code ?? err.message}\n`);
    endNow();
  };
  out.on('error', onOutError);
  const write = (text: string): void => {
    if (!pipeClosed) out.write(text);
  };
  const signals = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
  const onSignal = (): void => endNow();
  for (const sig of signals) process.on(sig, onSignal);

  const dir = mkdtempSync(join(tmpdir(), 'roadscan-demo-'));
  const nowSec = Math.floor(Date.now() / 1000);
  const world = createDemoWorld(join(dir, 'authority'), nowSec);
  const rt = await openRuntime({
    ...(opts.config ? { config: opts.config } : {}),
    db: join(dir, 'demo.db'),
    trust: world.trustFile,
    profile: 'roadside',
    region: '110105',
  });
  let mismatches = 0;
  let host: InstanceType<typeof ServiceHost> | null = null;
  try {
    write(`${bold('roadscan demo')}: a roadside checker in Beijing (region 110105), simulated scanner and LEDs.\n`);
    write(dim(`Each scan: the LEDs [green amber red] and buzzer (♪), the verdict, why, and masked fields.\n`));
    const synced = await syncDemoStatusList(world, rt.db, rt.dbFile, {
      onSynced: (o, url) => {
        const ago = Math.round((nowSec - (o.iat ?? nowSec)) / 60);
        const entries = `${o.entries} ${o.entries === 1 ? 'entry' : 'entries'}`;
        write(`Status list synced: seq ${o.seq}, ${entries} (the revoked licence), signed ${ago} min ago, from ${url}\n`);
      },
    });
    synced.close();
    const steps = demoScenario(world, nowSec, gap);
    let current = -1;
    const scanner = SimScanner.fromScript(
      steps,
      {
        maxFrameLength: rt.config.scanner.maxFrameLength,
        onStep: (step, i) => {
          current = i;
          write(`\n${bold(`${i + 1}/${steps.length}`)}  ${step.note ?? ''}\n`);
        },
        ...(interactive ? { then: process.stdin } : {}),
      },
      'demo script',
    );
    const feedback = rt.config.feedback;
    // The same service host as `roadscan run`, with the simulated HAL and a scripted scanner;
    // only its errors reach the terminal, where the demo prints its own lines.
    const logger = createLogger({ ...rt.config, log: { ...rt.config.log, level: 'error' } }, { destination: 2 });
    const running = new ServiceHost({
      rt,
      hal: { scanner, indicator: new SimIndicator(), feedback },
      logger,
      // Beside a running service (its ports taken) the demo still plays, without its own screen.
      portsRequired: false,
      onScreenUrl: (url) => write(`Operator screen: ${url} (open it in a browser beside this terminal)\n`),
      onEvent: (e) => {
        if (opts.events) write(dim(`${JSON.stringify(e)}\n`));
        if (e.event !== 'scan') return;
        write(`     ${scanLine(e, feedback, color)}\n`);
        const expected = steps[current]?.expect;
        if (current >= 0 && expected && expected !== e.verdict) {
          mismatches++;
          write(`     !! expected ${expected}\n`);
        }
        current = -1;
      },
    });
    host = running;
    write(dim(`Test authority, trust list and database (test keys only): ${dir}\n`));
    await running.start();
    await Promise.race([scanner.done, ended]);
    if (pipeClosed) return 0;
    if (interactive) {
      write(`\n${bold('Your turn:')} paste a code (RS1:...) and press Enter; Ctrl-C to quit.\n`);
      write(dim(`Make codes in another terminal: npx roadscan sim --help  (authority folder: ${join(dir, 'authority')})\n`));
      await ended;
    } else {
      // Let the last pattern finish, as the officer would see it.
      await Promise.race([sleep(Math.max(feedback.accept.ledMs, feedback.warn.ledMs, feedback.reject.ledMs) + 100), ended]);
    }
    const scans = running.path.scanCount;
    // After the stop: the audit writer has made every record durable by then.
    await running.stop();
    host = null;
    const logged = running.audit.count();
    write(`\n${scans} scans, ${logged} audit records (no names kept). Bye.\n`);
    return mismatches === 0 ? 0 : 1;
  } finally {
    await host?.stop();
    rt.close();
    if (opts.keep) write(`kept ${dir}\n`);
    else rmSync(dir, { recursive: true, force: true });
    for (const sig of signals) process.off(sig, onSignal);
  }
}
