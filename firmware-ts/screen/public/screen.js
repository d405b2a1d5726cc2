/*
  roadscan operator screen: renders what the service streams over Server-Sent Events.
  The service has already worded, ordered and cleaned everything; this script only places text.
  Rule: text from the service goes through textContent (never innerHTML), and only fixed values
  from this file choose icons and data attributes, so a hostile QR code cannot add markup here.
*/
const VERDICTS = new Set(['accept', 'warn', 'reject']);
const LEVELS = new Set(['ok', 'info', 'warn', 'bad']);
const OUTCOME_LEVELS = new Set(['ok', 'warn', 'reject']);
/** Dates and times, which must never break across lines: each becomes one unbreakable span. */
const DATE_TIME = /(\d{4}-\d{2}-\d{2}(?:[ T]\d{2}:\d{2}(?::\d{2})?)?|\d{2}:\d{2}(?::\d{2})?)/;

const $ = (id) => document.getElementById(id);
const el = (tag, className, text) => {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = String(text);
  return node;
};

let ui = {};
let current = null; // { seq, timer }
let lastStatus = null;
let token = '';
// The per-boot kiosk secret, handed over in the URL fragment by scripts/deploy/kiosk.sh (never sent in a
// request line); taken out of the address bar at once, and sent back only on /action and /clear.
const kioskSecret = new URLSearchParams(location.hash.slice(1)).get('k') ?? '';
if (location.hash) history.replaceState(null, '', location.pathname + location.search);
let decision = null; // { scanId, kind } while the buttons show

/** Puts `text` into `node`, each date or time in a span that never wraps. */
function setText(node, text) {
  const parts = String(text ?? '').split(DATE_TIME);
  if (parts.length === 1) {
    node.textContent = parts[0];
    return node;
  }
  node.replaceChildren(...parts.map((part, i) => (i % 2 === 1 ? el('span', 'nobr', part) : document.createTextNode(part))));
  return node;
}

/** Whether the status strip says the scanner is gone: then no scan can come, and the main area says so. */
function scannerLost() {
  return (lastStatus?.items ?? []).some((i) => i.key === 'scanner' && i.level === 'bad');
}
function setIcon(name) {
  $('icon').setAttribute('href', `#icon-${VERDICTS.has(name) ? name : 'idle'}`);
}

/** The idle screen: no verdict, no personal data; `note` says why (ready, or just cleared). */
function showIdle(note) {
  const scan = $('scan');
  const lost = scannerLost();
  scan.dataset.state = 'idle';
  scan.dataset.verdict = lost ? 'lost' : 'idle';
  $('icon').setAttribute('href', lost ? '#icon-lost' : '#icon-idle');
  $('word').textContent = (lost ? ui.scannerLost : ui.idle) ?? '';
  $('type').textContent = '';
  $('time').textContent = '';
  $('note').textContent = (lost ? ui.scannerLostHint : note) ?? '';
  scan.dataset.note = note ?? '';
  $('reasons').replaceChildren();
  $('fields').replaceChildren();
  showDecision(null);
  markCut();
}

function clearScan(seq) {
  if (!current || (seq !== undefined && seq !== current.seq)) return;
  clearTimeout(current.timer);
  const cleared = current.seq;
  current = null;
  showIdle(ui.cleared);
  showOutcome(null);
  $('scan').dataset.cleared = String(cleared);
}

function showScan(d) {
  const verdict = VERDICTS.has(d.verdict) ? d.verdict : 'reject';
  if (current) clearTimeout(current.timer);
  const seq = Number(d.seq);
  current = { seq, timer: setTimeout(() => clearScan(seq), Math.max(0, Number(d.clearInMs) || 0)) };

  const reasons = (Array.isArray(d.reasons) ? d.reasons : []).map((r) => {
    const li = el('li', '', r.text);
    li.dataset.level = r.level === 'warn' ? 'warn' : 'reject';
    li.dataset.code = String(r.code);
    return li;
  });
  if (reasons.length === 0) {
    const li = el('li', '', ui.noReasons ?? '');
    li.dataset.level = 'ok';
    reasons.push(li);
  }
  const fields = [];
  for (const f of Array.isArray(d.fields) ? d.fields : []) {
    const dt = el('dt', '', f.label);
    const dd = setText(el('dd'), f.value);
    dt.dataset.key = dd.dataset.key = String(f.key);
    if (f.flag === 'warn' || f.flag === 'reject') dt.dataset.flag = dd.dataset.flag = f.flag;
    if (Array.from(String(f.value)).length > 15) dd.dataset.long = 'true';
    fields.push(dt, dd);
  }

  const scan = $('scan');
  setIcon(verdict);
  $('word').textContent = d.word;
  $('type').textContent = d.typeName;
  setText($('time'), d.time);
  $('note').textContent = '';
  showDecision(null);
  showOutcome(null);
  $('reasons').replaceChildren(...reasons);
  $('fields').replaceChildren(...fields);
  delete scan.dataset.cleared;
  scan.dataset.verdict = verdict;
  scan.dataset.state = 'scan';
  scan.dataset.seq = String(seq);
  markCut();
}

function chip(item) {
  const node = el('div', 'chip');
  node.dataset.key = String(item.key);
  node.dataset.level = LEVELS.has(item.level) ? item.level : 'info';
  node.append(el('span', 'mark'), el('span', 'label', item.label), setText(el('span', 'value'), item.value));
  return node;
}

/** The confirm and refuse buttons: shown only while the service waits for this scan's decision. */
function showDecision(d) {
  const kind = d && (d.kind === 'check-id' || d.kind === 'voucher') ? d.kind : null;
  decision = kind && current ? { scanId: String(d.scanId), kind } : null;
  const box = $('decision');
  box.hidden = decision === null;
  document.body.dataset.decision = decision ? decision.kind : '';
  // The buttons take room from the fields: whether they still fit changes.
  requestAnimationFrame(markCut);
  if (!decision) return;
  box.dataset.kind = decision.kind;
  box.dataset.scanId = decision.scanId;
  $('decision-prompt').textContent = d.prompt ?? '';
  $('confirm').textContent = d.confirm ?? '';
  $('refuse').textContent = d.refuse ?? '';
  $('confirm').disabled = $('refuse').disabled = document.body.dataset.link !== 'up';
}

function showOutcome(o) {
  const line = $('outcome');
  line.hidden = !o;
  if (!o) return;
  line.dataset.level = OUTCOME_LEVELS.has(o.level) ? o.level : 'reject';
  line.dataset.scanId = String(o.scanId ?? '');
  line.textContent = o.text ?? '';
}

async function act(action) {
  if (!decision || document.body.dataset.link !== 'up') return;
  const { scanId } = decision;
  $('confirm').disabled = $('refuse').disabled = true;
  try {
    const res = await fetch('/action', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-roadscan-token': token, 'x-roadscan-kiosk': kioskSecret },
      body: JSON.stringify({ scanId, action }),
    });
    // 409: answered elsewhere (a button, another page) or replaced by a newer scan; the stream says what.
    if (!res.ok && res.status !== 409 && decision?.scanId === scanId) $('confirm').disabled = $('refuse').disabled = false;
  } catch {
    if (decision?.scanId === scanId) $('confirm').disabled = $('refuse').disabled = false;
  }
}

/**
 * The service is gone (its stream dropped): the whole screen says so, every button is disabled and
 * the strip claims nothing (the scanner's state is unknown without the service). The old verdict
 * is forgotten: it will not be answered.
 */
function serviceLost() {
  if (document.body.dataset.link === 'lost') return;
  document.body.dataset.link = 'lost';
  lastStatus = null;
  if (current) clearTimeout(current.timer);
  current = null;
  showDecision(null);
  showOutcome(null);
  showIdle('');
  $('confirm').disabled = $('refuse').disabled = $('clear').disabled = true;
  $('offline-word').textContent = ui.serviceStopped ?? '服务已停止 Service stopped';
  $('offline-hint').textContent = ui.reconnecting ?? '正在重新连接… Reconnecting…';
  showStatus();
}

/** Marks the reasons and the fields when they do not fit: a sign that there is more than is shown. */
function markCut() {
  for (const id of ['reasons', 'fields']) {
    const node = $(id);
    node.dataset.more = ui.more ?? '…';
    if (node.scrollHeight > node.clientHeight + 1) node.dataset.cut = 'true';
    else delete node.dataset.cut;
  }
}
window.addEventListener('resize', markCut);

/** States that can go wrong become chips; plain facts (profile, region...) share one small line. */
function showStatus() {
  const items = lastStatus?.items ?? [];
  const chips = items.filter((i) => i.level !== 'info').map(chip);
  if (document.body.dataset.link === 'lost') chips.unshift(chip({ key: 'link', level: 'bad', label: ui.link ?? '', value: ui.linkLost ?? '' }));
  const facts = el('div', 'facts');
  for (const item of items.filter((i) => i.level === 'info')) {
    const fact = el('span', 'fact');
    fact.dataset.key = String(item.key);
    fact.append(el('span', 'label', item.label), el('span', 'value', item.value));
    facts.append(fact);
  }
  $('status').replaceChildren(...chips, facts);
  // The main area follows the scanner when it shows no scan: "no scanner" must never read "ready".
  if ($('scan').dataset.state === 'idle') showIdle($('scan').dataset.note);
}

function showHistory(entries) {
  const rows = (Array.isArray(entries) ? entries : []).map((h) => {
    const li = el('li');
    li.dataset.verdict = VERDICTS.has(h.verdict) ? h.verdict : 'reject';
    li.append(el('span', 'h-word', h.word), setText(el('span', 'h-time'), h.time), el('span', 'h-type', h.typeName));
    return li;
  });
  if (rows.length === 0) rows.push(el('li', 'h-empty', ui.historyEmpty ?? ''));
  $('history').replaceChildren(...rows);
}

function onHello(d) {
  ui = d.ui ?? {};
  token = typeof d.token === 'string' ? d.token : '';
  document.documentElement.lang = d.lang === 'en' ? 'en' : 'zh-CN';
  $('history-title').textContent = ui.history ?? '';
  $('clear').textContent = ui.clear ?? '';
  document.querySelector('.recent').hidden = d.historySize === 0;
  document.body.dataset.link = 'up';
  $('clear').disabled = false;
  // A (re)connected service re-sends its current scan if it still has one; otherwise start idle.
  if (current) clearTimeout(current.timer);
  current = null;
  showIdle(ui.idleHint);
  showOutcome(null);
  showStatus();
}

function listen(source, name, handler) {
  source.addEventListener(name, (e) => {
    let data;
    try {
      data = JSON.parse(e.data);
    } catch {
      return;
    }
    handler(data);
  });
}

function connect() {
  const source = new EventSource('/events');
  listen(source, 'hello', onHello);
  listen(source, 'scan', showScan);
  listen(source, 'clear', (d) => clearScan(Number(d.seq)));
  listen(source, 'history', showHistory);
  listen(source, 'decision', showDecision);
  listen(source, 'outcome', (o) => {
    showDecision(null);
    showOutcome(o);
  });
  // Another page took this one's place (the server keeps the newest): step back, then return.
  listen(source, 'bye', () => {
    source.close();
    serviceLost();
    setTimeout(connect, 5000);
  });
  listen(source, 'status', (d) => {
    lastStatus = d;
    showStatus();
  });
  source.addEventListener('error', () => {
    serviceLost();
    // The browser retries dropped streams itself, but gives up after a refusal (an error status): a kiosk
    // has nobody to press reload, so try again a little later.
    if (source.readyState === EventSource.CLOSED) setTimeout(connect, 3000);
  });
}

$('clear').addEventListener('click', () => {
  if (document.body.dataset.link !== 'up') return;
  clearScan();
  fetch('/clear', { method: 'POST', headers: { 'x-roadscan-screen': 'clear', 'x-roadscan-token': token, 'x-roadscan-kiosk': kioskSecret } }).catch(() => {});
});

$('confirm').addEventListener('click', () => act('confirm'));
$('refuse').addEventListener('click', () => act('refuse'));

connect();
