/**
 * Reads the operator page the way the operator sees it: visible text, computed colours, icon and
 * attributes. The expressions run inside the browser, so they are plain strings here (the test
 * project compiles without DOM types).
 * @module
 */
import type { Page } from 'playwright-core';

export interface PageScan {
  state: string;
  verdict: string;
  seq: string | null;
  icon: string | null;
  word: string;
  type: string;
  time: string;
  note: string;
  bannerBackground: string;
  bannerColour: string;
  reasons: Array<{ level: string; text: string }>;
  fields: Array<{ key: string; label: string; value: string; flag: string | null }>;
  history: Array<{ verdict: string; text: string }>;
  status: Array<{ key: string; level: string; text: string }>;
  bodyText: string;
}

const PROBE = `(() => {
  const q = (s) => document.querySelector(s);
  const banner = q('#banner');
  const dts = [...document.querySelectorAll('#fields dt')];
  const dds = [...document.querySelectorAll('#fields dd')];
  return {
    state: q('#scan').dataset.state,
    verdict: q('#scan').dataset.verdict,
    seq: q('#scan').dataset.seq ?? null,
    icon: q('#icon').getAttribute('href'),
    word: q('#word').textContent,
    type: q('#type').textContent,
    time: q('#time').textContent,
    note: q('#note').textContent,
    bannerBackground: getComputedStyle(banner).backgroundColor,
    bannerColour: getComputedStyle(banner).color,
    reasons: [...document.querySelectorAll('#reasons li')].map((li) => ({ level: li.dataset.level, text: li.textContent })),
    fields: dts.map((dt, i) => ({ key: dt.dataset.key, label: dt.textContent, value: dds[i].textContent, flag: dds[i].dataset.flag ?? null })),
    history: [...document.querySelectorAll('#history li')].map((li) => ({ verdict: li.dataset.verdict ?? '', text: li.textContent })),
    status: [...document.querySelectorAll('#status .chip, #status .fact')].map((c) => ({ key: c.dataset.key, level: c.dataset.level ?? 'info', text: c.textContent })),
    bodyText: document.body.innerText,
  };
})()`;

export function probe(page: Page): Promise<PageScan> {
  return page.evaluate(PROBE) as Promise<PageScan>;
}

/** Runs an expression in the page and returns its value. */
export function inPage<T>(page: Page, expression: string): Promise<T> {
  return page.evaluate(expression) as Promise<T>;
}
