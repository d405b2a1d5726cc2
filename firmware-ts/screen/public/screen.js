/*
  roadscan operator screen: renders what the service streams over Server-Sent Events.
  The service has already worded, ordered and cleaned everything; this script only places text.
  Rule: text from the service goes through textContent (never innerHTML), and only fixed values
  from this file choose icons and data attributes, so a hostile QR code cannot add markup here.
*/
const VERDICTS = new Set(['accept', 'warn', 'reject']);
const LEVELS = new Set(['ok', 'info', 'warn', 'bad']);

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

function setIcon(name) {
  $('icon').setAttribute('href', `#icon-${VERDICTS.has(name) ? name : 'idle'}`);
}

/** The idle screen: no verdict, no personal data; `note` says why (ready, or just cleared). */
function showIdle(note) {
  const scan = $('scan');
  scan.dataset.state = 'idle';
  scan.dataset.verdict = 'idle';
  setIcon('idle');
  $('word').textContent = ui.idle ?? '';
  $('type').textContent = '';
  $('time').textContent = '';
  $('note').textContent = note ?? '';
  $('reasons').replaceChildren();
  $('fields').replaceChildren();
}

function clearScan(seq) {
  if (!current || (seq !== undefined && seq !== current.seq)) return;
  clearTimeout(current.timer);
  const cleared = current.seq;
  current = null;
  showIdle(ui.cleared);
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
    const dd = el('dd', '', f.value);
    dt.dataset.key = dd.dataset.key = String(f.key);
    if (f.flag === 'warn' || f.flag === 'reject') dt.dataset.flag = dd.dataset.flag = f.flag;
    if (Array.from(String(f.value)).length > 15) dd.dataset.long = 'true';
    fields.push(dt, dd);
  }

  const scan = $('scan');
  setIcon(verdict);
  $('word').textContent = d.word;
  $('type').textContent = d.typeName;
  $('time').textContent = d.time;
  $('note').textContent = '';
  $('reasons').replaceChildren(...reasons);
  $('fields').replaceChildren(...fields);
  delete scan.dataset.cleared;
  scan.dataset.verdict = verdict;
  scan.dataset.state = 'scan';
  scan.dataset.seq = String(seq);
}

function chip(item) {
  const node = el('div', 'chip');
  node.dataset.key = String(item.key);
  node.dataset.level = LEVELS.has(item.level) ? item.level : 'info';
  node.append(el('span', 'mark'), el('span', 'label', item.label), el('span', 'value', item.value));
  return node;
}

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
}

function showHistory(entries) {
  const rows = (Array.isArray(entries) ? entries : []).map((h) => {
    const li = el('li');
    li.dataset.verdict = VERDICTS.has(h.verdict) ? h.verdict : 'reject';
    li.append(el('span', 'h-word', h.word), el('span', 'h-time', h.time), el('span', 'h-type', h.typeName));
    return li;
  });
  if (rows.length === 0) rows.push(el('li', 'h-empty', ui.historyEmpty ?? ''));
  $('history').replaceChildren(...rows);
}

function onHello(d) {
  ui = d.ui ?? {};
  document.documentElement.lang = d.lang === 'en' ? 'en' : 'zh-CN';
  $('history-title').textContent = ui.history ?? '';
  $('clear').textContent = ui.clear ?? '';
  document.querySelector('.recent').hidden = d.historySize === 0;
  document.body.dataset.link = 'up';
  // A (re)connected service re-sends its current scan if it still has one; otherwise start idle.
  if (current) clearTimeout(current.timer);
  current = null;
  showIdle(ui.idleHint);
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
  // Another page took this one's place (the server keeps the newest): step back, then return.
  listen(source, 'bye', () => {
    source.close();
    document.body.dataset.link = 'lost';
    showStatus();
    setTimeout(connect, 5000);
  });
  listen(source, 'status', (d) => {
    lastStatus = d;
    showStatus();
  });
  source.addEventListener('error', () => {
    document.body.dataset.link = 'lost';
    showStatus();
    // The browser retries dropped streams itself, but gives up after a refusal (an error status): a kiosk
    // has nobody to press reload, so try again a little later.
    if (source.readyState === EventSource.CLOSED) setTimeout(connect, 3000);
  });
}

$('clear').addEventListener('click', () => {
  clearScan();
  fetch('/clear', { method: 'POST', headers: { 'x-roadscan-screen': 'clear' } }).catch(() => {});
});

connect();
