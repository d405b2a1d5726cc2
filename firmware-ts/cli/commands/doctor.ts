/**
 * `roadscan doctor`: is this device ready to scan, and if not, what to fix. One line per check
 * (configuration, database, rules data and the policy in force, the types served but not
 * accepted in the region, trust anchor, status list age, serial device and its permissions,
 * GPIO lines, clock, screen and health ports), each `ok` or `FIX` with what to do. Exit 0 when
 * nothing needs fixing, 1 otherwise, 2 when the configuration cannot even be read.
 * @module
 */
import { Option, type Command } from 'commander';
import { addCommonOptions, type CommonOptions } from '../common-options.js';

interface DoctorOptions extends CommonOptions {
  hal: 'sim' | 'pi';
  scanner?: string;
}

interface Check {
  ok: boolean;
  /** `ok` only in the result; never fails the doctor (a port in use by the running service). */
  note?: boolean;
  what: string;
  detail: string;
}

export function register(program: Command): void {
  addCommonOptions(
    program
      .command('doctor')
      .description('check that this device is ready to scan and say what to fix, one line each (exit 0 healthy, 1 problems)')
      .addOption(new Option('--hal <kind>', 'hardware to check: pi (serial scanner, GPIO) or sim (no GPIO)').choices(['sim', 'pi']).default('pi'))
      .option('--scanner <path>', 'serial device of the scanner; overrides scanner.path'),
  ).action(async (opts: DoctorOptions) => {
    const checks = await runChecks(opts);
    for (const c of checks) process.stdout.write(`${c.ok ? 'ok ' : 'FIX'}  ${c.what}: ${c.detail}\n`);
    process.exitCode = checks.every((c) => c.ok) ? 0 : 1;
  });
}

async function runChecks(opts: DoctorOptions): Promise<Check[]> {
  const { accessSync, constants, existsSync } = await import('node:fs');
  const { createServer } = await import('node:net');
  const { openRuntime, chooseTrust, rulesInForceFor, policyInForce, describeLaxer, statusMaxAgeSec } = await import('../../app/index.js');
  const { servedButNotAdopted } = await import('../../policy/served-types.js');
  const { cstDate } = await import('../../core/cst.js');
  const { StatusListStore, statusDataDir } = await import('../../status/list/index.js');
  const { listAge } = await import('../../core/staleness.js');
  const { oneLine } = await import('../../core/text-safety.js');
  const checks: Check[] = [];
  const add = (ok: boolean, what: string, detail: string, note = false) => checks.push({ ok, what, detail: oneLine(detail, 300), note });
  const msg = (err: unknown) => (err as Error)?.message ?? String(err);

  // Configuration and database: openRuntime validates the one and opens the other (SetupError: exit 2).
  const rt = await openRuntime(opts);
  try {
    add(true, 'configuration', rt.loaded.file ?? 'defaults');
    const integrity = String(rt.db.pragma('quick_check', { simple: true }));
    add(integrity === 'ok', 'database', integrity === 'ok' ? rt.dbFile : `${rt.dbFile}: ${integrity}: restore it or move it aside and sync again`);

    // The rules data in force, and the policy's numbers after the configuration.
    let maxAgeHours = rt.config.statusList.maxAgeHours ?? 24;
    try {
      const inForce = rulesInForceFor(rt);
      const p = policyInForce(rt.config, inForce.policy.policy);
      maxAgeHours = statusMaxAgeSec(p) / 3600;
      const v = p.policy.version;
      add(
        true,
        'policy',
        `version ${v}${v === 0 ? ' (shipped defaults)' : ''}${p.policy.expires ? `, expires ${p.policy.expires}` : ''}${p.tightened.length > 0 ? `; stricter by configuration: ${p.tightened.join(', ')}` : ''}`,
      );
      for (const l of p.laxer) add(false, 'policy', `${describeLaxer(l, v)}: remove it or make it stricter`);
      const today = cstDate(rt.time().nowSec);
      for (const r of servedButNotAdopted(p.policy, rt.config.profile, inForce.adoption.adoption, rt.config.region, today)) {
        add(
          false,
          'rules data',
          `a ${rt.config.profile} serves ${r.type}, but adoption version ${inForce.adoption.version} does not accept it in region ${rt.config.region} ${r.from ? `until ${r.from}` : 'at all'}: every ${r.type} answers NOT_ACCEPTED_IN_REGION; check region, or sync the rules data`,
        );
      }
    } catch (err) {
      add(false, 'rules data', `${msg(err)}: fix calendarFile or adoptionFile, or sync`);
    }

    const store = StatusListStore.open(rt.db, statusDataDir(rt.dbFile), { log: { warn: () => undefined } });
    try {
      try {
        const trust = chooseTrust(rt, store.trustJson());
        add(true, 'trust anchor', `version ${trust.version}`);
      } catch (err) {
        add(false, 'trust anchor', `${msg(err)}: install the trust list (trustFile, or --trust)`);
      }
      const cfg = rt.config;
      const age = listAge(store.listIat(), rt.time().nowSec, maxAgeHours * 3600);
      if (age.ageSec === null)
        add(false, 'status list', `never synced (or its copy failed its check): run roadscan sync${cfg.statusList.url ? '' : ' --url BASE_URL, and set statusList.url'}`);
      else if (age.stale)
        add(false, 'status list', `${Math.round(age.ageSec / 3600)} h old, past statusList.maxAgeHours (${maxAgeHours}): check the network, run roadscan sync`);
      else add(true, 'status list', `seq ${store.seq()}, ${store.entries()} entries, ${Math.round(age.ageSec / 60)} min old`);
    } finally {
      store.close();
    }

    const cfg = rt.config;
    const serial = opts.scanner ?? cfg.scanner.path;
    if (!existsSync(serial)) add(false, 'serial device', `${serial} not found: plug the scanner in, or set scanner.path (roadscan scanner list)`);
    else {
      try {
        accessSync(serial, constants.R_OK | constants.W_OK);
        add(true, 'serial device', serial);
      } catch {
        add(false, 'serial device', `${serial}: no permission: add the service user to the dialout group`);
      }
    }

    if (opts.hal === 'pi') {
      if (cfg.indicator.driver === 'led-class') {
        for (const [line, name] of Object.entries(cfg.leds)) {
          if (name === null) continue;
          const file = `/sys/class/leds/${name}/brightness`;
          try {
            accessSync(file, constants.W_OK);
            add(true, `LED ${line}`, file);
          } catch {
            add(false, `LED ${line}`, `${file} not writable or missing: add the gpio-led overlay and the udev rule (scripts/install-pi.sh)`);
          }
        }
      } else {
        try {
          accessSync('/sys/class/gpio/export', constants.W_OK);
          add(true, 'GPIO', '/sys/class/gpio');
        } catch {
          add(false, 'GPIO', '/sys/class/gpio/export not writable or missing: add the user to the gpio group, or use "indicator": {"driver": "led-class"}');
        }
      }
    }

    const clock = rt.clockFloor.state(Date.now());
    add(
      clock.state === 'ok',
      'clock',
      clock.state === 'ok'
        ? 'agrees with the clock floor'
        : `${clock.state} the clock floor (${new Date(clock.floorSec * 1000).toISOString()}): set the time (NTP, or an RTC)`,
    );

    for (const [what, section] of [
      ['screen port', cfg.screen],
      ['health port', cfg.health],
    ] as const) {
      if (!section.enabled) continue;
      const free = await new Promise<string | null>((resolve) => {
        const srv = createServer();
        srv.once('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
        srv.listen(section.port, section.host, () => srv.close(() => resolve(null)));
      });
      if (free === null) add(true, what, `${section.host}:${section.port} free`);
      else if (free === 'EADDRINUSE') add(true, what, `${section.host}:${section.port} in use (the service is probably running; if not, something else holds it)`, true);
      else add(false, what, `${section.host}:${section.port}: ${free}: change ${what === 'screen port' ? 'screen' : 'health'}.host or .port`);
    }
  } finally {
    rt.close();
  }
  return checks;
}
