/**
 * A hostile local process, run as a child of the abuse test so its sockets do not count against
 * the test's own file descriptors: it opens and holds many event streams on the operator screen
 * and keeps slow clients trickling request headers at both servers, then reports what it saw as
 * one JSON line per phase on standard output. Bounded: it exits by itself after `lifeMs`.
 *
 * argv: screenPort healthPort streams slowClients lifeMs
 */
import net from 'node:net';

const [screenPort, healthPort, streams, slowClients, lifeMs] = process.argv.slice(2).map(Number);
const report = (o) => process.stdout.write(`${JSON.stringify(o)}\n`);
const sockets = [];

function stream() {
  return new Promise((resolve) => {
    const s = net.connect(screenPort, '127.0.0.1');
    sockets.push(s);
    const st = { ok: false, bye: false, closed: false };
    let text = '';
    s.setEncoding('utf8');
    s.on('connect', () => s.write(`GET /events HTTP/1.1\r\nHost: 127.0.0.1:${screenPort}\r\n\r\n`));
    s.on('data', (d) => {
      if (text.length < 4096) text += d;
      if (!st.ok && text.startsWith('HTTP/1.1 200')) {
        st.ok = true;
        resolve(st);
      }
      if (text.includes('event: bye')) st.bye = true;
    });
    s.on('error', () => undefined);
    s.on('close', () => {
      st.closed = true;
      resolve(st);
    });
  });
}

function slow(port) {
  const s = net.connect(port, '127.0.0.1');
  sockets.push(s);
  const st = { closedAt: null };
  const started = Date.now();
  const header = `GET / HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nX-Slow: ${'a'.repeat(4000)}`;
  let i = 0;
  const t = setInterval(() => {
    if (i < header.length && !s.destroyed) s.write(header[i++]);
  }, 200);
  s.on('error', () => undefined);
  s.on('close', () => {
    clearInterval(t);
    st.closedAt = Date.now() - started;
  });
  return st;
}

const results = [];
for (let i = 0; i < streams; i += 100) {
  const batch = [];
  for (let j = i; j < Math.min(streams, i + 100); j++) batch.push(stream());
  results.push(...(await Promise.all(batch)));
}
// The slow clients come last, so they still trickle while the kiosk page loads.
const slowOnes = [];
for (let i = 0; i < slowClients; i++) slowOnes.push(slow(i % 2 ? healthPort : screenPort));
await new Promise((r) => setTimeout(r, 300));
report({
  phase: 'streams',
  opened: results.filter((r) => r.ok).length,
  toldBye: results.filter((r) => r.bye).length,
  stillOpen: results.filter((r) => !r.closed).length,
  slowOpen: slowOnes.filter((s) => s.closedAt === null).length,
});

const deadline = Date.now() + lifeMs;
const watch = setInterval(() => {
  const open = slowOnes.filter((s) => s.closedAt === null).length;
  if (open === 0 || Date.now() > deadline) {
    clearInterval(watch);
    report({ phase: 'slow', open, longestMs: Math.max(...slowOnes.map((s) => s.closedAt ?? Infinity)) });
    for (const s of sockets) s.destroy();
    process.exit(0);
  }
}, 100);
