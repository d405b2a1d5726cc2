/**
 * How fast a verdict reaches the operator screen, in a real headless Chromium over real HTTP
 * (Server-Sent Events), against the budget of 100 ms: first from
 * `ScreenServer.publishScan` alone, then for the whole service, from a code written to the
 * serial scanner's line (a socat pseudo-terminal read by the real serial driver) through the
 * checker, the audit log and the screen to the page.
 *
 * The page reports back through a Playwright binding called from a MutationObserver, and the time
 * is taken in this process on arrival, so each figure includes the trip back to Node: the true
 * one-way latency is lower than what is printed. "Next frame" waits one requestAnimationFrame more,
 * the point at which the new verdict can be on the glass.
 *
 *   npm run build && node dist/scripts/bench/bench-screen.js [scans]
 * @module
 */
import { resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { ScreenServer } from '../../firmware-ts/screen/screen-server.js';
import type { Browser } from 'playwright-core';
import { formatRows, type BenchRow } from './bench-row.js';
import { launchHeadlessChromium } from '../harness/headless-chromium.js';
import { SAMPLE_AT_SEC, SAMPLE_SCANS, SAMPLE_STATUS } from '../harness/screen-samples.js';
import { ScreenRig } from '../harness/screen-rig.js';
import { percentile } from './bench-stats.js';

/** Installed in the page before its own script: reports each rendered scan and the frame after it. */
const OBSERVER = `document.addEventListener('DOMContentLoaded', () => {
  const scan = document.getElementById('scan');
  new MutationObserver(() => {
    const seq = Number(scan.dataset.seq);
    if (!seq || scan.dataset.state !== 'scan' || window.__lastSeq === seq) return;
    window.__lastSeq = seq;
    window.__rendered(seq, 'dom');
    requestAnimationFrame(() => window.__rendered(seq, 'frame'));
  }).observe(scan, { attributes: true, attributeFilter: ['data-seq', 'data-state'] });
});`;

interface Latencies {
  dom: number[];
  frame: number[];
}

/**
 * Opens the page at `url`, then triggers `warmup + scans` scans one after the other; each one's
 * latency runs from just before `trigger(i)` to the page reporting scan number `i` rendered.
 */
async function measure(browser: Browser, url: string, scans: number, trigger: (i: number) => void): Promise<Latencies> {
  const page = await browser.newPage({ viewport: { width: 480, height: 800 } });
  const arrivals = new Map<string, number>();
  let notify: (() => void) | null = null;
  await page.exposeBinding('__rendered', (_source, seq: number, what: string) => {
    arrivals.set(`${seq}:${what}`, performance.now());
    notify?.();
  });
  await page.addInitScript(OBSERVER);
  await page.goto(url);
  await page.waitForSelector('body[data-link="up"]');
  const waitFor = async (key: string): Promise<number> => {
    const deadline = performance.now() + 5000;
    while (!arrivals.has(key)) {
      if (performance.now() > deadline) throw new Error(`the page never showed ${key}`);
      await new Promise<void>((r) => {
        notify = r;
        setTimeout(r, 50);
      });
    }
    return arrivals.get(key)!;
  };
  const warmup = 20;
  const out: Latencies = { dom: [], frame: [] };
  for (let i = 1; i <= warmup + scans; i++) {
    const sent = performance.now();
    trigger(i);
    const shown = await waitFor(`${i}:dom`);
    const painted = await waitFor(`${i}:frame`);
    if (i > warmup) {
      out.dom.push(shown - sent);
      out.frame.push(painted - sent);
    }
    // Scans come from people, not a loop: leave the page a moment as a queue would.
    await new Promise((r) => setTimeout(r, 15));
  }
  await page.close();
  out.dom.sort((a, b) => a - b);
  out.frame.sort((a, b) => a - b);
  return out;
}

function rows(what: string, scans: number, l: Latencies): BenchRow[] {
  return [
    { name: `${what} -> DOM updated, p50 (${scans} scans)`, value: percentile(l.dom, 50), unit: 'ms' },
    { name: `${what} -> DOM updated, p99 (target <= 100)`, value: percentile(l.dom, 99), unit: 'ms' },
    { name: `${what} -> DOM updated, max`, value: l.dom[l.dom.length - 1]!, unit: 'ms' },
    { name: `${what} -> next animation frame, p99`, value: percentile(l.frame, 99), unit: 'ms' },
    { name: `${what}: scans over 100 ms`, value: l.dom.filter((ms) => ms > 100).length, unit: `of ${scans}` },
  ];
}

export async function runScreenBench(scans = Number(process.env.BENCH_SCREEN_SCANS ?? 200)): Promise<BenchRow[]> {
  const browser = await launchHeadlessChromium();
  try {
    // 1. The screen alone: publishScan on a ScreenServer.
    const screen = new ScreenServer({ host: '127.0.0.1', port: 0, lang: 'zh', clearAfterSec: 30, history: 3 });
    const { url } = await screen.start();
    screen.publishStatus(SAMPLE_STATUS.accept);
    const kinds = ['accept', 'warn', 'reject'] as const;
    let publish: Latencies;
    try {
      publish = await measure(browser, url, scans, (i) => screen.publishScan(SAMPLE_SCANS[kinds[i % kinds.length]!], { atSec: SAMPLE_AT_SEC + i, profile: 'roadside' }));
    } finally {
      await screen.stop();
    }
    // 2. The whole service: a code written to the serial scanner's pseudo-terminal, read by the
    //    serial driver, checked, written to the audit log (fsync), then shown.
    const rig = await ScreenRig.create({ scanner: 'pty', listAgeSec: 3600 });
    let service: Latencies;
    let serviceOnly: number[];
    try {
      const codes = Array.from({ length: 16 }, (_, i) => (i % 2 ? rig.registration() : rig.licence()));
      // Where the time goes: the moment the service hands each verdict to the screen.
      const handedOver: number[] = [];
      let sentAt = 0;
      const publishScan = rig.screen.publishScan.bind(rig.screen);
      rig.screen.publishScan = (result, meta) => {
        handedOver.push(performance.now() - sentAt);
        publishScan(result, meta);
      };
      service = await measure(browser, rig.url, scans, (i) => {
        sentAt = performance.now();
        rig.scan(codes[i % codes.length]!);
      });
      serviceOnly = handedOver.slice(-scans).sort((a, b) => a - b);
    } finally {
      await rig.close();
    }
    return [
      ...rows('publishScan', scans, publish),
      ...rows('code on the serial line', scans, service),
      { name: 'code on the serial line -> publishScan (serial, check, audit), p50', value: percentile(serviceOnly, 50), unit: 'ms' },
      { name: 'code on the serial line -> publishScan (serial, check, audit), p99', value: percentile(serviceOnly, 99), unit: 'ms' },
    ];
  } finally {
    await browser.close();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const scans = Number(process.argv[2] ?? process.env.BENCH_SCREEN_SCANS ?? 200);
  runScreenBench(scans)
    .then((rows) => console.log(formatRows('operator screen (scan -> page)', rows)))
    .catch((err: unknown) => {
      console.error(`bench-screen: ${err instanceof Error ? err.message : String(err)}`);
      process.exitCode = 1;
    });
}
