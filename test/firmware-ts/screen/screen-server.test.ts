import { afterEach, describe, expect, it } from 'vitest';
import { ScreenServer, type ScreenServerOptions } from '../../../firmware-ts/screen/screen-server.js';
import type { ScreenStatus } from '../../../firmware-ts/screen/screen-view.js';
import { SseClient, httpExchange } from './sse-client.js';
import { SAMPLE_STATUS } from '../../../scripts/harness/screen-samples.js';

const AT = Date.UTC(2026, 10, 20, 2, 0, 3) / 1000;
const DL = {
  verdict: 'accept' as const,
  reasons: [],
  type: 'DL' as const,
  fields: { name: '张*明', idNumber: '110***********1234', classes: 'C1' },
};
const STATUS: ScreenStatus = { ...SAMPLE_STATUS.accept, listAgeSec: 60 };

const servers: ScreenServer[] = [];
const clients: SseClient[] = [];

async function startServer(opts: Partial<ScreenServerOptions> = {}): Promise<{ screen: ScreenServer; url: string }> {
  const screen = new ScreenServer({ host: '127.0.0.1', port: 0, lang: 'zh', clearAfterSec: 30, history: 3, ...opts });
  servers.push(screen);
  const { url } = await screen.start();
  return { screen, url };
}

async function watch(url: string, headers?: Record<string, string>): Promise<SseClient> {
  const c = await SseClient.open(url, headers);
  clients.push(c);
  return c;
}

afterEach(async () => {
  clients.splice(0).forEach((c) => c.close());
  await Promise.all(servers.splice(0).map((s) => s.stop()));
});

describe('ScreenServer over HTTP', () => {
  it('serves the page, its style and script from the package with a strict policy', async () => {
    const { url } = await startServer();
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    const index = await httpExchange(url);
    expect(index.status).toBe(200);
    expect(index.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(index.headers['content-security-policy']).toContain("script-src 'self'");
    expect(index.headers['content-security-policy']).toContain("default-src 'none'");
    expect(index.headers['x-content-type-options']).toBe('nosniff');
    expect(index.body).toContain('<script type="module" src="/screen.js">');
    expect((await httpExchange(url, { path: '/screen.js' })).headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect((await httpExchange(url, { path: '/screen.css?v=1' })).headers['content-type']).toBe('text/css; charset=utf-8');
    const head = await httpExchange(url, { method: 'HEAD', path: '/screen.css' });
    expect([head.status, head.body]).toEqual([200, '']);
  });

  it('answers nothing outside its table of files', async () => {
    const { url } = await startServer();
    for (const path of ['/../package.json', '/%2e%2e/package.json', '/screen-server.ts', '/public/index.html', '/events/x', '//etc/passwd']) {
      expect((await httpExchange(url, { path })).status, path).toBe(404);
    }
    expect((await httpExchange(url, { method: 'PUT' })).status).toBe(405);
    expect((await httpExchange(url, { path: `/${'a'.repeat(3000)}` })).status).toBe(414);
  });

  it('refuses requests addressed to another host name (DNS rebinding)', async () => {
    const { url } = await startServer();
    const port = new URL(url).port;
    expect((await httpExchange(url, { headers: { host: `evil.example:${port}` } })).status).toBe(403);
    expect((await httpExchange(url, { headers: { host: `127.0.0.1:1` } })).status).toBe(403);
    expect((await httpExchange(url, { headers: { host: `localhost:${port}` } })).status).toBe(200);
    const sse = await watch(url, { host: `attacker.test:${port}` });
    expect(sse.status).toBe(403);
  });

  it('greets a new page with its texts, the status and the recent scans', async () => {
    const { screen, url } = await startServer({ lang: 'en' });
    screen.publishStatus(STATUS);
    const page = await watch(url);
    expect(page.response.headers['content-type']).toBe('text/event-stream; charset=utf-8');
    const hello = (await page.nth('hello')) as { lang: string; ui: Record<string, string>; clearAfterMs: number };
    expect(hello.lang).toBe('en');
    expect(hello.ui.idle).toBe('Ready to scan');
    expect(hello.clearAfterMs).toBe(30_000);
    expect(await page.nth('status')).toMatchObject({ alert: false });
    expect(await page.nth('history')).toEqual([]);
  });

  it('streams each scan, keeps only verdict, type and time in the history, and bounds the history', async () => {
    const { screen, url } = await startServer();
    const page = await watch(url);
    await page.nth('hello');
    for (let i = 0; i < 5; i++) screen.publishScan(DL, { atSec: AT + i, profile: 'roadside' });
    const scan = (await page.nth('scan', 5)) as { seq: number; fields: Array<{ value: string }>; clearInMs: number };
    expect(scan.seq).toBe(5);
    expect(scan.fields.map((f) => f.value)).toEqual(['张*明', '110***********1234', 'C1']);
    expect(scan.clearInMs).toBe(30_000);
    const history = (await page.nth('history', 6)) as Array<Record<string, unknown>>;
    expect(history.map((h) => h.time)).toEqual(['10:00:07', '10:00:06', '10:00:05']);
    expect(Object.keys(history[0]!).sort()).toEqual(['seq', 'time', 'typeName', 'verdict', 'word']);
    expect(JSON.stringify(history)).not.toMatch(/张|1234|C1/);
  });

  it('forgets the personal fields after the timeout, also for a page that connects later', async () => {
    const { screen, url } = await startServer({ clearAfterMs: 200 });
    const page = await watch(url);
    await page.nth('hello');
    screen.publishScan(DL, { atSec: AT, profile: 'roadside' });
    expect(await page.nth('clear')).toEqual({ seq: 1 });
    const late = await watch(url);
    await late.nth('history');
    expect(late.count('scan')).toBe(0);
    expect(JSON.stringify(late.events)).not.toContain('张');
  });

  it('hands a page that connects in time the current scan with the time left', async () => {
    const { screen, url } = await startServer();
    screen.publishScan(DL, { atSec: AT, profile: 'roadside' });
    const page = await watch(url);
    const scan = (await page.nth('scan')) as { seq: number; clearInMs: number };
    expect(scan.seq).toBe(1);
    expect(scan.clearInMs).toBeGreaterThan(0);
    expect(scan.clearInMs).toBeLessThanOrEqual(30_000);
  });

  it('a newer scan is not cleared by the timer of the older one', async () => {
    const { screen, url } = await startServer({ clearAfterMs: 300 });
    const page = await watch(url);
    await page.nth('hello');
    screen.publishScan(DL, { atSec: AT, profile: 'roadside' });
    screen.clearCurrent(99);
    screen.publishScan(DL, { atSec: AT + 1, profile: 'roadside' });
    expect(await page.nth('clear')).toEqual({ seq: 2 });
    expect(page.count('clear')).toBe(1);
  });

  it('clears on the page button only under the guard of an action: its header, Origin, stream token and the kiosk secret', async () => {
    const secret = 'k'.repeat(43);
    const { screen, url } = await startServer({ kioskSecret: secret });
    const page = await watch(url);
    const { token } = (await page.nth('hello')) as { token: string };
    screen.publishScan(DL, { atSec: AT, profile: 'roadside' });
    await page.nth('scan');
    const origin = url.replace(/\/$/, '');
    const pageHeaders = { 'x-roadscan-screen': 'clear', origin, 'x-roadscan-token': token };
    const clear = async (headers: Record<string, string>) => (await httpExchange(url, { method: 'POST', path: '/clear', headers })).status;
    expect(await clear({})).toBe(403);
    expect(await clear({ 'x-roadscan-screen': 'clear', 'x-roadscan-kiosk': secret })).toBe(403);
    expect(await clear({ ...pageHeaders, origin: 'http://evil.example', 'x-roadscan-kiosk': secret })).toBe(403);
    expect(await clear({ ...pageHeaders, 'x-roadscan-token': 'f'.repeat(32), 'x-roadscan-kiosk': secret })).toBe(403);
    expect(await clear(pageHeaders)).toBe(403);
    expect(await clear({ ...pageHeaders, 'x-roadscan-kiosk': 'j'.repeat(43) })).toBe(403);
    expect(page.count('clear')).toBe(0);
    expect(await clear({ ...pageHeaders, 'x-roadscan-kiosk': secret })).toBe(204);
    expect(await page.nth('clear')).toEqual({ seq: 1 });
  });

  it('sends a status only when it changed', async () => {
    const { screen, url } = await startServer();
    const page = await watch(url);
    await page.nth('hello');
    screen.publishStatus(STATUS);
    screen.publishStatus({ ...STATUS });
    screen.publishStatus({ ...STATUS, scanner: 'closed' });
    const second = (await page.nth('status', 2)) as { alert: boolean; items: Array<{ key: string; level: string }> };
    expect(second.alert).toBe(true);
    expect(second.items.find((i) => i.key === 'scanner')?.level).toBe('bad');
    expect(page.count('status')).toBe(2);
  });

  it('lets the oldest page go, told why, when a newer one comes beyond the limit', async () => {
    const { screen, url } = await startServer({ maxClients: 2 });
    const a = await watch(url);
    const b = await watch(url);
    await Promise.all([a.nth('hello'), b.nth('hello')]);
    const c = await watch(url);
    expect([a.status, b.status, c.status]).toEqual([200, 200, 200]);
    await c.nth('hello');
    expect(await a.nth('bye')).toEqual({ reason: 'replaced' });
    await a.end();
    expect(screen.clients).toBe(2);
    screen.publishScan(DL, { atSec: AT, profile: 'roadside' });
    await Promise.all([b.nth('scan'), c.nth('scan')]);
    expect(a.count('scan')).toBe(0);
  });

  it('ends every stream on stop and releases the port', async () => {
    const { screen, url } = await startServer();
    const page = await watch(url);
    await page.nth('hello');
    await screen.stop();
    await page.end();
    await expect(httpExchange(url)).rejects.toThrow();
  });

  it('fails to start with a clear error when the port is taken', async () => {
    const { url } = await startServer();
    const other = new ScreenServer({ host: '127.0.0.1', port: Number(new URL(url).port), lang: 'zh', clearAfterSec: 30, history: 3 });
    await expect(other.start()).rejects.toThrow(/^operator screen cannot listen on 127.0.0.1:\d+ \(EADDRINUSE\)$/);
  });
});
