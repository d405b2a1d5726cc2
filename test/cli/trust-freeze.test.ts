/**
 * The freeze attack (spec 1.2, issue 21), as processes: a publisher holding only the online SL
 * key keeps signing fresh manifests and never ships the newer trust list. While the held list
 * runs, nothing shows; once the clock passes its `expires` (`--now` moves the clock of every
 * command and of the service), a good code answers `warn` with TRUST_STALE, the running service's
 * `/healthz` is degraded naming the trust list, its metric shows the seconds past, and the
 * screen strip says so; a sync that finally brings the newer version clears all of it. Real
 * `roadscan sync`, `verify` and `run` processes, real HTTP on 127.0.0.1, real SQLite.
 * @module
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signPublication } from '../../sim/authority/signed-publications.js';
import { expiresAfter } from '../../sim/authority/trust-list-json.js';
import { publishNext } from '../../sim/status/status-publisher.js';
import { runCli } from '../helpers/cli.js';
import { runHarness } from '../helpers/run-harness.js';
import { StatusWorld, randomKeyHex } from '../firmware-ts/status/status-fixture.js';

const iso = (sec: number) => new Date(sec * 1000).toISOString().replace('.000Z', 'Z');
const NOW = Math.floor(Date.now() / 1000);
/** The anchor runs three days; the freeze goes on past it. */
const EXPIRES = NOW + 3 * 86400;
/** The moved clock: two hours past the anchor's expires. */
const LATER = EXPIRES + 7200;

describe('a freeze by the SL key alone ends at the held trust list’s expires', () => {
  const harness = runHarness('all');
  let w: StatusWorld;
  let trustFile: string;

  beforeAll(async () => {
    w = await StatusWorld.create();
    w.db.close();
    trustFile = join(w.root, 'trust.json');
    writeFileSync(trustFile, JSON.stringify(w.authority.trustList(1, { root: w.rootKeys, expires: iso(EXPIRES) })));
  }, 60_000);
  afterAll(() => w.close());

  /** The publisher with the SL key alone: a fresh manifest, no trust list. */
  const freezePublish = (iat: number) => publishNext({ dir: w.publishDir, key: w.authority.keys.sl, iat, changes: new Map([[randomKeyHex(), 1]]) });
  async function sync(now: number) {
    const r = await runCli(['sync', '--url', w.server.url, '--json', '--db', w.dbFile, '--trust', trustFile, '--now', iso(now)]);
    expect(r.code, r.stderr).toBe(0);
    return JSON.parse(r.stdout) as { ok: boolean; seq: number; trustVersion?: number };
  }
  async function verify(now: number) {
    const code = w.authority.code({ type: 'DL', now });
    const r = await runCli(['verify', '--json', '--now', iso(now), '--db', w.dbFile, '--trust', trustFile, '--region', '110105', code.text]);
    return { code: r.code, ...(JSON.parse(r.stdout) as { verdict: string; reasons: string[] }) };
  }
  async function status(now: number) {
    return JSON.parse((await runCli(['status', '--json', '--now', iso(now), '--db', w.dbFile, '--trust', trustFile])).stdout) as {
      trustVersion: number;
      trustStale: boolean;
      signed: { name: string; version: number; expires: string | null; stale: boolean; secondsLeft: number | null }[];
    };
  }

  it('while the held list runs, fresh SL-signed manifests are taken and a good code is accepted', async () => {
    freezePublish(NOW - 600);
    expect(await sync(NOW)).toMatchObject({ ok: true, seq: 1 });
    expect(await verify(NOW)).toMatchObject({ code: 0, verdict: 'accept', reasons: [] });
    const s = await status(NOW);
    expect(s.trustStale).toBe(false);
    expect(s.signed).toEqual([{ name: 'trust', version: 1, expires: iso(EXPIRES), stale: false, secondsLeft: EXPIRES - NOW }]);
  });

  it('past its expires, the publisher still signing fresh manifests: every scan warns TRUST_STALE, status says it', async () => {
    freezePublish(LATER - 600);
    expect(await sync(LATER)).toMatchObject({ ok: true, seq: 2 });
    const v = await verify(LATER);
    // Fresh list, reliable clock: the stale trust list is the one thing to say.
    expect(v).toMatchObject({ code: 3, verdict: 'warn', reasons: ['TRUST_STALE'] });
    const s = await status(LATER);
    expect(s).toMatchObject({ trustVersion: 1, trustStale: true });
    expect(s.signed[0]).toMatchObject({ name: 'trust', stale: true, secondsLeft: EXPIRES - LATER });
  });

  it('the running service: warn on a scan, /healthz degraded naming the trust list, the metric below 0; a sync that brings version 2 clears it', async () => {
    const dir = harness.tempDir('roadscan-freeze-');
    const run = await harness.start({
      dir,
      scanner: true,
      config: {
        device: { id: 'freeze-1', operator: '' },
        health: { enabled: true, port: 0 },
        statusList: { url: w.server.url, periodMin: 0.05, retryMinSec: 1, retryMaxMin: 0.05 },
      },
      args: ['--trust', trustFile, '--db', w.dbFile, '--now', iso(LATER)],
    });
    await run.waitForLog(/health endpoint/);
    const h = await run.health();
    expect(h.status).toBe('degraded');
    expect(h.problems).toContain(`trust list version 1 expired ${iso(EXPIRES)}: scans carry TRUST_STALE until a newer version is synced`);
    const metrics = await (await fetch(new URL('/metrics', (await run.waitForLog(/"url":"(http:[^"]+)healthz"/))[1]!))).text();
    expect(metrics).toMatch(new RegExp(`^roadscan_signed_document_expires_in_seconds\\{document="trust"\\} ${EXPIRES - LATER}$`, 'm'));
    run.send(`${w.authority.code({ type: 'DL', now: LATER }).text}\r\n`);
    const scan = await run.nextEvent('scan');
    expect(scan).toMatchObject({ verdict: 'warn', reasons: ['TRUST_STALE'] });

    // The authority finally publishes version 2, signed by its root, running 90 days.
    const v2 = JSON.stringify(w.authority.trustList(2, { root: w.rootKeys, expires: expiresAfter(LATER * 1000) }));
    publishNext({
      dir: w.publishDir,
      key: w.authority.keys.sl,
      iat: LATER - 300,
      changes: new Map(),
      trustDocument: { version: 2, bytes: signPublication(v2, { root: w.rootKeys, sl: w.authority.keys.sl }) },
    });
    const deadline = Date.now() + 30_000;
    const trustProblem = (p: string[]) => p.some((x) => x.startsWith('trust list'));
    let after = await run.health();
    while (trustProblem(after.problems) && Date.now() < deadline) {
      await sleep(300);
      after = await run.health();
    }
    // What is left is the moved clock itself: /healthz judges the system clock against the
    // floor the future manifests raised, and --now does not move the system clock.
    expect(after.problems, JSON.stringify(after)).toEqual(['clock behind']);
    expect(after.signed).toEqual([{ name: 'trust', version: 2, expires: iso(LATER + 90 * 86400), stale: false, secondsLeft: 90 * 86400 }]);
    run.send(`${w.authority.code({ type: 'DL', now: LATER }).text}\r\n`);
    expect(await run.nextEvent('scan')).toMatchObject({ verdict: 'accept', reasons: [] });
    await run.stop();
    // And every command agrees.
    expect(await verify(LATER)).toMatchObject({ code: 0, verdict: 'accept', reasons: [] });
    expect((await status(LATER)).signed[0]).toMatchObject({ name: 'trust', version: 2, stale: false });
  }, 90_000);
});
