/**
 * The doctor's checks, in the order they are shown: configuration, database, trust, status list,
 * rules data, scanner, LEDs or GPIO, clock, ports. Each depends only on the context, and only on
 * the hardware asked for: `--hal sim` without `--scanner` reads codes from the terminal, so no
 * serial device is looked for. Add a check by adding a function to `DOCTOR_CHECKS`.
 * @module
 */
import { accessSync, constants, existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { listAge } from '../../core/staleness.js';
import { calendarCoverage } from '../../rules/calendar-coverage.js';
import { healthRules } from '../../health/health-rules.js';
import { rulesInForceFor } from '../rules.js';
import { chooseTrust, syncedTrust } from '../trust.js';
import { heldDocuments, loadRulesData } from '../checker.js';
import { describeStale, heldExpiry, instantText } from '../../signed/expiry.js';
import type { CheckResult, DoctorCheck } from './check.js';
import { policy } from './policy-checks.js';
import { policyInForce, statusMaxAgeSec } from '../policy-in-force.js';

const msg = (err: unknown) => (err as Error)?.message ?? String(err);
const ok = (name: string, detail: string): CheckResult => ({ name, state: 'ok', detail });
const fix = (name: string, detail: string): CheckResult => ({ name, state: 'fix', detail });

const configuration: DoctorCheck = ({ rt }) => [ok('configuration', rt.loaded.file ?? 'defaults')];

const database: DoctorCheck = ({ rt }) => {
  if (rt.dbMissing) return [fix('database', `${rt.dbFile} not found: roadscan provision (or roadscan sync) creates it`)];
  const integrity = String(rt.db.pragma('quick_check', { simple: true }));
  return [integrity === 'ok' ? ok('database', rt.dbFile) : fix('database', `${rt.dbFile}: ${integrity}: restore it or move it aside and sync again`)];
};

const trustAnchor: DoctorCheck = ({ rt, store }) => {
  try {
    return [ok('trust anchor', `version ${chooseTrust(rt, store ? syncedTrust(rt) : null).version}`)];
  } catch (err) {
    return [fix('trust anchor', `${msg(err)}: install the trust list (trustFile, or --trust)`)];
  }
};

/** The list age past which scans carry STATUS_LIST_STALE: the policy's, or the configuration's when stricter. */
function maxAgeHoursOf(rt: Parameters<DoctorCheck>[0]['rt']): number {
  try {
    return statusMaxAgeSec(policyInForce(rt.config, rulesInForceFor(rt).policy.policy)) / 3600;
  } catch {
    return rt.config.statusList.maxAgeHours ?? 24;
  }
}

const statusList: DoctorCheck = ({ rt, store }) => {
  const cfg = rt.config;
  if (!store) return [fix('status list', 'never synced (no database): run roadscan sync')];
  const maxAgeHours = maxAgeHoursOf(rt);
  const age = listAge(store.listIat(), rt.time().nowSec, maxAgeHours * 3600);
  if (age.ageSec === null)
    return [fix('status list', `never synced (or its copy failed its check): run roadscan sync${cfg.statusList.url ? '' : ' --url BASE_URL, and set statusList.url'}`)];
  if (age.stale)
    return [fix('status list', `${Math.round(age.ageSec / 3600)} h old, past statusList.maxAgeHours (${maxAgeHours}): check the network, run roadscan sync`)];
  return [ok('status list', `seq ${store.seq()}, ${store.entries()} entries, ${Math.round(age.ageSec / 60)} min old`)];
};

/** The rules data in force, with /healthz's calendar warning from 1 November. */
const rulesData: DoctorCheck = ({ rt }) => {
  try {
    const inForce = rulesInForceFor(rt);
    const rules = healthRules(inForce, calendarCoverage(inForce.calendar.years, rt.time().nowSec));
    const versions = `calendar-cn version ${rules['calendar-cn'].version} (${rules['calendar-cn'].source}), adoption version ${rules.adoption.version} (${rules.adoption.source})`;
    return rules.warnings.length === 0
      ? [ok('rules data', versions)]
      : rules.warnings.map((w) => ({ name: 'rules data', state: 'warn' as const, detail: `${w}: sync the new calendar` }));
  } catch (err) {
    return [fix('rules data', `${msg(err)}: fix calendarFile or adoptionFile`)];
  }
};

/**
 * Spec 1.2: each signed document held (the trust list with a root, the rules documents) against its
 * `expires`. Past it, or held from before 1.2 without one, it still serves but every scan carries
 * TRUST_STALE, which a technician must hear here as well as on /healthz. Unsigned shipped data and a
 * trust list without a root are not signed documents and are not listed.
 */
const signedDocuments: DoctorCheck = ({ rt, store }) => {
  let held: ReturnType<typeof heldExpiry>[];
  try {
    const nowSec = rt.time().nowSec;
    held = heldDocuments(chooseTrust(rt, store ? syncedTrust(rt) : null), loadRulesData(rt)).map((d) => heldExpiry(d, nowSec));
  } catch {
    return []; // no usable trust list or rules data: the checks above already say why
  }
  if (held.length === 0) return [];
  const stale = held.filter((d) => d.stale);
  if (stale.length > 0)
    return [
      { name: 'signed documents', state: 'warn', detail: `${describeStale(stale)}: every scan carries TRUST_STALE until a newer version is synced (roadscan sync)` },
    ];
  const soonest = Math.min(...held.map((d) => d.secondsLeft ?? Number.POSITIVE_INFINITY));
  const until = instantText(rt.time().nowSec + soonest);
  return [ok('signed documents', `${held.map((d) => `${d.name === 'trust' ? 'trust list' : d.name} version ${d.version}`).join(', ')}; the first expires ${until}`)];
};

const serialDevice: DoctorCheck = ({ rt, hal, scannerPath }) => {
  if (hal === 'sim' && scannerPath === undefined)
    return [{ name: 'serial device', state: 'note', detail: 'none with --hal sim: codes come from the terminal (--scanner pty makes a pseudo-terminal)' }];
  if (hal === 'sim' && scannerPath === 'pty') return [ok('serial device', 'a pseudo-terminal made at start (--scanner pty)')];
  const serial = scannerPath ?? rt.config.scanner.path;
  if (!existsSync(serial)) return [fix('serial device', `${serial} not found: plug the scanner in, or set scanner.path (roadscan scanner list)`)];
  try {
    accessSync(serial, constants.R_OK | constants.W_OK);
    return [ok('serial device', serial)];
  } catch {
    return [fix('serial device', `${serial}: no permission: add the service user to the dialout group`)];
  }
};

const indicator: DoctorCheck = ({ rt, hal }) => {
  if (hal !== 'pi') return [];
  const cfg = rt.config;
  if (cfg.indicator.driver === 'led-class') {
    const out: CheckResult[] = [];
    for (const [line, name] of Object.entries(cfg.leds)) {
      if (name === null) continue;
      const file = `/sys/class/leds/${name}/brightness`;
      try {
        accessSync(file, constants.W_OK);
        out.push(ok(`LED ${line}`, file));
      } catch {
        out.push(fix(`LED ${line}`, `${file} not writable or missing: add the gpio-led overlay and the udev rule (scripts/deploy/install-pi.sh)`));
      }
    }
    return out;
  }
  try {
    accessSync('/sys/class/gpio/export', constants.W_OK);
    return [ok('GPIO', '/sys/class/gpio')];
  } catch {
    return [fix('GPIO', '/sys/class/gpio/export not writable or missing: add the user to the gpio group, or use "indicator": {"driver": "led-class"}')];
  }
};

const clock: DoctorCheck = ({ rt }) => {
  const c = rt.clockFloor.state(Date.now());
  return [
    c.state === 'ok'
      ? ok('clock', 'agrees with the clock floor')
      : fix('clock', `${c.state} the clock floor (${new Date(c.floorSec * 1000).toISOString()}): set the time (NTP, or an RTC)`),
  ];
};

const ports: DoctorCheck = async ({ rt }) => {
  const out: CheckResult[] = [];
  for (const [name, section, key] of [
    ['screen port', rt.config.screen, 'screen'],
    ['health port', rt.config.health, 'health'],
  ] as const) {
    if (!section.enabled) continue;
    const free = await new Promise<string | null>((resolve) => {
      const srv = createServer();
      srv.once('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
      srv.listen(section.port, section.host, () => srv.close(() => resolve(null)));
    });
    const at = `${section.host}:${section.port}`;
    if (free === null) out.push(ok(name, `${at} free`));
    else if (free === 'EADDRINUSE') out.push({ name, state: 'note', detail: `${at} in use (the service is probably running; if not, something else holds it)` });
    else out.push(fix(name, `${at}: ${free}: change ${key}.host or .port`));
  }
  return out;
};

/** Every check, in the order shown. */
export const DOCTOR_CHECKS: DoctorCheck[] = [configuration, database, trustAnchor, statusList, rulesData, signedDocuments, policy, serialDevice, indicator, clock, ports];
