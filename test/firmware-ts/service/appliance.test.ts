import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import type { ApplianceEvent, IndicatorEvent, ScanEvent } from '../../../firmware-ts/service/appliance-events.js';
import { StorageHealth } from '../../../firmware-ts/store/storage-health.js';
import { waitUntil, writeTo } from '../../hal/helpers/events.js';
import { NOW_SEC, buildFixture, type Fixture } from './appliance-fixture.js';

let fx: Fixture | null = null;
afterEach(async () => {
  await fx?.close();
  fx = null;
});

const scans = (events: ApplianceEvent[]) => events.filter((e): e is ScanEvent => e.event === 'scan');
const leds = (events: ApplianceEvent[]) => events.filter((e): e is IndicatorEvent => e.event === 'indicator').map((e) => `${e.led}${e.buzzer === 'on' ? '+buzz' : ''}`);
const feeder = (f: Fixture) => f.pair!.feederPath;

describe('Appliance wired with a real pty scanner, the real checker and a real audit log', () => {
  it('turns frames into verdicts, audit records, feedback and events', async () => {
    fx = await buildFixture();
    await fx.appliance.start();
    expect(fx.events).toEqual([{ event: 'scanner', state: 'open' }]);
    const a = fx.world.authority;
    writeTo(feeder(fx), `]Q1${a.code({ type: 'DL', now: NOW_SEC }).text}\r\n`);
    writeTo(feeder(fx), `${a.code({ type: 'VR', now: NOW_SEC }).text}\r`);
    writeTo(feeder(fx), `${a.code({ type: 'DL', now: NOW_SEC, genAgeSec: 600 }).text}\n`);
    writeTo(feeder(fx), `${a.code({ type: 'DL', now: NOW_SEC, flaw: 'issuer-signature' }).text}\r\n`);
    await waitUntil(() => (scans(fx!.events).length === 4 ? true : undefined), '4 verdicts');
    const got = scans(fx.events);
    expect(got.map((s) => [s.verdict, s.type, s.reasons])).toEqual([
      ['accept', 'DL', []],
      ['warn', 'VR', ['PAPER_REQUIRED']],
      ['reject', 'DL', ['STALE_PRESENTATION']],
      ['reject', 'DL', ['BAD_SIGNATURE']],
    ]);
    expect(Object.keys(got[0]!).sort()).toEqual(['event', 'fields', 'ms', 'reasons', 'type', 'verdict']);
    expect(fx.auditCount()).toBe(4);
    // The last scan cut the others short: its red pattern runs to its end.
    await waitUntil(() => (leds(fx!.events).at(-1) === 'off' ? true : undefined), 'the red pattern to end', 4000);
    expect(leds(fx.events).slice(-3)).toEqual(['red+buzz', 'red', 'off']);
  });

  it('writes the audit record before the feedback starts', async () => {
    const auditCountAtLed: number[] = [];
    fx = await buildFixture({
      onEvent: (e) => {
        if (e.event === 'indicator' && e.led !== 'off') auditCountAtLed.push(fx!.auditCount());
      },
    });
    await fx.appliance.start();
    writeTo(feeder(fx), `${fx.world.authority.code({ type: 'DL', now: NOW_SEC }).text}\r\n`);
    await waitUntil(() => (auditCountAtLed.length > 0 ? true : undefined), 'first LED');
    expect(auditCountAtLed[0]).toBe(1);
  });

  it('blinks amber while the scanner is unplugged, reopens it by itself, and verdicts flow again', async () => {
    fx = await buildFixture();
    await fx.appliance.start();
    await fx.unplug();
    await waitUntil(() => (fx!.events.some((e) => e.event === 'scanner' && e.state !== 'open') ? true : undefined), 'scanner lost');
    await waitUntil(() => (leds(fx!.events).filter((l) => l === 'amber').length >= 1 ? true : undefined), 'amber blinking');
    expect(fx.appliance.scannerState).not.toBe('open');
    await fx.replug();
    await waitUntil(() => (fx!.appliance.scannerState === 'open' ? true : undefined), 'scanner back');
    const stateEvents = fx.events.filter((e) => e.event === 'scanner').map((e) => (e as { state: string }).state);
    expect(stateEvents[0]).toBe('open');
    expect(stateEvents.at(-1)).toBe('open');
    expect(stateEvents).toContain('closed');
    writeTo(feeder(fx), `${fx.world.authority.code({ type: 'DL', now: NOW_SEC }).text}\r\n`);
    await waitUntil(() => (scans(fx!.events).length === 1 ? true : undefined), 'verdict after replug');
    expect(scans(fx.events)[0]!.verdict).toBe('accept');
    // Blinking stopped: after the green pattern ends, nothing lights again.
    await sleep(1300);
    const after = leds(fx.events).slice(leds(fx.events).lastIndexOf('green+buzz'));
    expect(after).toEqual(['green+buzz', 'green', 'off']);
  });

  it('blinks amber while the status list is stale', async () => {
    fx = await buildFixture({ listStale: () => true });
    await fx.appliance.start();
    await waitUntil(() => (leds(fx!.events).length >= 3 ? true : undefined), 'blinking');
    expect(leds(fx.events).slice(0, 3)).toEqual(['amber', 'off', 'amber']);
  });

  it('still answers what the credential earns when the audit log fails, and shows the storage fault', async () => {
    const errors: string[] = [];
    const storage = new StorageHealth();
    let failing = true;
    fx = await buildFixture({
      audit: {
        submit() {
          if (failing) throw new Error('disk full');
        },
      },
      storage,
      logger: { info() {}, warn() {}, error: (_o: object, msg?: string) => errors.push(msg ?? '') },
    });
    await fx.appliance.start();
    writeTo(feeder(fx), `${fx.world.authority.code({ type: 'DL', now: NOW_SEC }).text}\r\n`);
    await waitUntil(() => (scans(fx!.events).length === 1 ? true : undefined), 'verdict');
    expect(leds(fx.events)[0]).toBe('green+buzz');
    expect(errors).toEqual(['audit record failed']);
    expect(storage.problems()).toEqual(['audit records not written: disk full']);
    // After the accept pattern, the storage alert: red flashes, never the amber of a lost scanner.
    await waitUntil(() => (leds(fx!.events).includes('red') ? true : undefined), 'storage alert', 5000);
    expect(leds(fx.events)).not.toContain('amber');
    failing = false;
    writeTo(feeder(fx), `${fx.world.authority.code({ type: 'DL', now: NOW_SEC }).text}\r\n`);
    await waitUntil(() => (scans(fx!.events).length === 2 ? true : undefined), 'second verdict');
    expect(storage.ok).toBe(true);
  });

  it('stops cleanly: LEDs dark, scanner released, nothing after', async () => {
    fx = await buildFixture();
    await fx.appliance.start();
    writeTo(feeder(fx), `${fx.world.authority.code({ type: 'VR', now: NOW_SEC }).text}\r\n`);
    await waitUntil(() => (scans(fx!.events).length === 1 ? true : undefined), 'verdict');
    await fx.appliance.stop();
    const n = fx.events.length;
    expect(leds(fx.events).at(-1)).toBe('off');
    writeTo(feeder(fx), `${fx.world.authority.code({ type: 'DL', now: NOW_SEC }).text}\r\n`);
    await sleep(100);
    expect(fx.events.length).toBe(n);
    expect(fx.auditCount()).toBe(1);
  });
});
