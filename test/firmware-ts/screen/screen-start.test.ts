import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError } from '../../../firmware-ts/config/config-error.js';
import { parseConfig } from '../../../firmware-ts/config/parse.js';
import type { ScreenServer } from '../../../firmware-ts/screen/screen-server.js';
import { screenStatusOf } from '../../../firmware-ts/screen/screen-status.js';
import { startOperatorScreen } from '../../../firmware-ts/screen/start-screen.js';
import { httpExchange } from './sse-client.js';

const running: ScreenServer[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((s) => s.stop()));
});

describe('screen configuration', () => {
  it('defaults to the loopback address, Chinese, 30 s and three recent scans', () => {
    expect(parseConfig({}).screen).toEqual({ enabled: true, host: '127.0.0.1', port: 8480, lang: 'zh', clearAfterSec: 30, history: 3, kioskSecretGroup: false });
  });

  it('names the bad key', () => {
    expect(() => parseConfig({ screen: { lang: 'fr' } })).toThrow(ConfigError);
    expect(() => parseConfig({ screen: { lang: 'fr' } })).toThrow(/screen\.lang/);
    expect(() => parseConfig({ screen: { clearAfterSec: 0 } })).toThrow(/screen\.clearAfterSec/);
    expect(() => parseConfig({ screen: { colour: 'blue' } })).toThrow(/screen\.colour: unknown key/);
  });
});

describe('startOperatorScreen', () => {
  it('serves the page when enabled and stays off when disabled', async () => {
    const section = parseConfig({ screen: { port: 0 } }).screen;
    const screen = await startOperatorScreen(section, { warn: () => undefined });
    expect(screen).not.toBeNull();
    running.push(screen!);
    expect((await httpExchange(screen!.url!)).status).toBe(200);
    expect(await startOperatorScreen({ ...section, enabled: false }, { warn: () => undefined })).toBeNull();
  });

  it('reports a taken port in one line and lets the service go on without a screen', async () => {
    const first = await startOperatorScreen(parseConfig({ screen: { port: 0 } }).screen, { warn: () => undefined });
    running.push(first!);
    const warnings: string[] = [];
    const port = Number(new URL(first!.url!).port);
    const second = await startOperatorScreen(parseConfig({ screen: { port } }).screen, { warn: (m) => warnings.push(m) });
    expect(second).toBeNull();
    expect(warnings).toEqual([`operator screen cannot listen on 127.0.0.1:${port} (EADDRINUSE)`]);
  });
});

describe('screenStatusOf', () => {
  const base = {
    scanner: 'open' as const,
    nowSec: 100_000,
    maxAgeSec: 86_400,
    clockReliable: true,
    profile: 'roadside',
    region: '110105',
    station: null,
    pendingUploads: 0,
  };

  it("uses the scan checker's staleness rule", () => {
    expect(screenStatusOf({ ...base, listIat: null })).toMatchObject({ listAgeSec: null, listStale: true });
    expect(screenStatusOf({ ...base, listIat: 100_000 - 86_400 })).toMatchObject({ listAgeSec: 86_400, listStale: false });
    expect(screenStatusOf({ ...base, listIat: 100_000 - 86_401 })).toMatchObject({ listAgeSec: 86_401, listStale: true });
    expect(screenStatusOf({ ...base, listIat: 0, clockReliable: false }).clock).toBe('unreliable');
  });
});
