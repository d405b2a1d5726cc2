/**
 * `roadscan sim publish-status` and `roadscan sim serve-status`: the test authority publishes
 * status lists (snapshots, deltas, signed manifests, a forged one on request) into a folder, and
 * serves that folder over HTTP, so `roadscan sync --url` has something real to fetch.
 *
 * Registered under `roadscan sim` by one line in the CLI's sim command; everything heavy is
 * imported when a command runs.
 * @module
 */
import { Option, type Command } from 'commander';
import { parseInstant } from '../../firmware-ts/app/runtime.js';
import { SetupError as UsageError } from '../../firmware-ts/app/setup-error.js';
import type { TestAuthority } from '../authority/test-authority.js';
import { DOCUMENT_FORGERIES, TRUST_FORGERIES, type DocumentForgery, type TrustForgery } from '../authority/document-forgeries.js';
import { FORGERIES } from './forgeries.js';
import { Progress } from '../cli/progress.js';

interface PublishOptions {
  dir: string;
  out: string;
  set: string[];
  random?: string;
  iat?: string;
  keepDeltas?: string;
  snapshot: boolean;
  trustVersion?: string;
  plainTrust?: boolean;
  forgeTrust?: TrustForgery;
  rules: string[];
  policy?: string;
  forgeRules?: DocumentForgery;
  forge?: (typeof FORGERIES)[number];
  expires?: string;
  json?: boolean;
}

function count(name: string, v: string, max: number): number {
  if (!/^\d+$/.test(v) || Number(v) > max) throw new UsageError(`--${name}: expected a whole number up to ${max}, got ${JSON.stringify(v)}`);
  return Number(v);
}

/** `--set KEY=STATUS` pairs: a 32-hex-digit entry key (`roadscan sim issue --json` prints it) and a byte. */
function parseChanges(pairs: string[]): Map<string, number> {
  const changes = new Map<string, number>();
  for (const p of pairs) {
    const m = /^([0-9a-fA-F]{32})=(\d{1,3})$/.exec(p);
    if (!m || Number(m[2]) > 255) throw new UsageError(`--set: expected KEY=STATUS (32 hex digits = 0..255), got ${JSON.stringify(p)}`);
    changes.set(m[1]!.toLowerCase(), Number(m[2]));
  }
  return changes;
}

/** Reads `--rules name=file` pairs: each file is rules data JSON carrying its own version. */
async function readRules(pairs: string[]): Promise<Record<string, { version: number } & Record<string, unknown>>> {
  const { readFileSync } = await import('node:fs');
  const out: Record<string, { version: number } & Record<string, unknown>> = {};
  for (const p of pairs) {
    const m = /^(calendar-cn|adoption|policy)=(.+)$/.exec(p);
    if (!m) throw new UsageError(`--rules: expected calendar-cn=FILE, adoption=FILE or policy=FILE, got ${JSON.stringify(p)}`);
    let json: unknown;
    try {
      json = JSON.parse(readFileSync(m[2]!, 'utf8'));
    } catch (err) {
      throw new UsageError(`--rules ${m[1]}: ${m[2]}: ${(err as Error).message}`);
    }
    const version = (json as { version?: unknown } | null)?.version;
    if (typeof version !== 'number' || !Number.isSafeInteger(version) || version < 1) throw new UsageError(`--rules ${m[1]}: ${m[2]} has no positive integer version`);
    out[m[1]!] = json as { version: number } & Record<string, unknown>;
  }
  return out;
}

/** The signed trust list and rules documents this publication carries, or null for none. */
async function signedDocumentsFor(
  opts: PublishOptions,
  authority: TestAuthority,
  publishedGen: number | undefined,
  trustVersion: number | undefined,
  publishedRules: Record<string, Uint8Array>,
  expires: string,
) {
  const rules = await readRules([...opts.rules, ...(opts.policy ? [`policy=${opts.policy}`] : [])]);
  const wantsTrust = trustVersion !== undefined && !opts.plainTrust;
  if (!wantsTrust && Object.keys(rules).length === 0) return null;
  const { signForPublication } = await import('../authority/signed-publisher.js');
  try {
    return signForPublication(opts.dir, authority, publishedGen, {
      ...(wantsTrust ? { trustVersion } : {}),
      ...(opts.forgeTrust ? { trustForgery: opts.forgeTrust } : {}),
      ...(Object.keys(rules).length > 0 ? { rules } : {}),
      ...(opts.forgeRules ? { rulesForgery: opts.forgeRules } : {}),
      publishedRules,
      expires,
    });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

export function registerStatusSim(sim: Command): void {
  sim
    .command('rotate-root')
    .description('make the next generation of the root keys (own files under root/); the next --trust-version publishes the rotation')
    .requiredOption('--dir <dir>', 'the test authority folder (roadscan sim init)')
    .option('--root-keys <n>', 'keys of the new root', '3')
    .option('--threshold <k>', 'its threshold', '2')
    .action(async (opts: { dir: string; rootKeys: string; threshold: string }) => {
      const { generateRoot } = await import('../authority/root-keys.js');
      const { loadRootGeneration, rootGenerations, saveRootGeneration } = await import('../authority/root-store.js');
      const gens = rootGenerations(opts.dir);
      if (gens.length === 0) throw new UsageError(`${opts.dir}: no root yet (roadscan sim init without --no-root)`);
      let root;
      try {
        // The new root keeps the algorithm of the one it replaces.
        const alg = loadRootGeneration(opts.dir, gens.at(-1)!).keys[0]!.alg;
        root = generateRoot(count('root-keys', opts.rootKeys, 32), count('threshold', opts.threshold, 32), alg);
      } catch (err) {
        throw new UsageError((err as Error).message);
      }
      const gen = gens.at(-1)! + 1;
      saveRootGeneration(opts.dir, gen, root);
      process.stdout.write(`root generation ${gen}: ${root.threshold} of ${root.keys.length} keys\n`);
    });

  sim
    .command('publish-status')
    .description('publish the next seq of the status list (snapshot, delta, signed manifest) into a folder')
    .requiredOption('--dir <dir>', 'the test authority folder (roadscan sim init): its SL key signs')
    .requiredOption('--out <dir>', 'folder to publish into (serve it with roadscan sim serve-status)')
    .option('--set <key=status>', 'entry key (hex) and status byte; 0 removes (repeatable)', (v: string, acc: string[]) => [...acc, v], [])
    .option('--random <n>', 'also list this many random keys with statuses 1..8')
    .option('--iat <iso>', 'publication instant of the manifest (default: now)')
    .option('--keep-deltas <n>', 'deltas the manifest lists (default 16; 0: snapshot only)')
    .option('--no-snapshot', 'keep naming the previous snapshot in the manifest (scanners must chain deltas)')
    .option('--trust-version <n>', "publish the authority's trust list with this version, signed by its root (a rotation when `sim rotate-root` ran since)")
    .option('--plain-trust', 'publish the trust list as plain JSON, as version-1 publishers did (a 1.1 scanner refuses it)')
    .addOption(new Option('--forge-trust <kind>', 'sign the trust list as a forgery the scanner must refuse').choices([...TRUST_FORGERIES]))
    .option(
      '--rules <name=file>',
      'publish rules data (calendar-cn, adoption, policy) from a JSON file carrying its version, signed by the root (repeatable)',
      (v: string, acc: string[]) => [...acc, v],
      [],
    )
    .option(
      '--policy <file>',
      'publish a policy rules document (numbers, profile table, escalate) from a JSON file carrying its version and expires; as --rules policy=FILE',
    )
    .addOption(new Option('--forge-rules <kind>', 'sign the rules documents as a forgery the scanner must refuse').choices([...DOCUMENT_FORGERIES]))
    .addOption(new Option('--forge <kind>', 'instead, replace manifest.cose by a forgery the scanner must refuse').choices([...FORGERIES]))
    .option('--expires <iso>', 'expires of the signed trust list and rules documents published (spec 1.2; default: 90 days after --iat)')
    .option('--json', 'print the publisher state as JSON')
    .action(async (opts: PublishOptions) => {
      const { loadAuthority } = await import('../authority/authority-store.js');
      const { publishNext, readPublisherState, writeManifest } = await import('./status-publisher.js');
      const { randomBytes } = await import('node:crypto');
      let authority;
      try {
        authority = loadAuthority(opts.dir);
      } catch (err) {
        throw new UsageError((err as Error).message);
      }
      if (opts.forge) {
        const state = readPublisherState(opts.out);
        if (!state) throw new UsageError(`${opts.out}: nothing published yet`);
        writeManifest(opts.out, state, authority.keys.sl, opts.forge, authority.keys.mps);
        process.stdout.write(
          opts.json ? `${JSON.stringify({ forged: opts.forge, seq: state.seq })}\n` : `manifest.cose of seq ${state.seq} replaced by a forgery (${opts.forge})\n`,
        );
        return;
      }
      const changes = parseChanges(opts.set);
      const random = opts.random === undefined ? 0 : count('random', opts.random, 50_000_000);
      // Millions of keys take a while: each phase and each tenth is said on standard error.
      const progress = random >= 10_000 ? new Progress('publish-status') : null;
      progress?.phase(`making ${random} random keys`);
      // 17 bytes a key (16 of key, one for the status), drawn in blocks: one call per key was most of the time.
      for (let made = 0; made < random; ) {
        const n = Math.min(65_536, random - made);
        const block = randomBytes(17 * n);
        for (let j = 0; j < n; j++) changes.set(block.toString('hex', 17 * j, 17 * j + 16), 1 + (block[17 * j + 16]! % 8));
        made += n;
        progress?.update(made, random, 'random keys');
      }
      progress?.phase('writing the snapshot, the delta and the signed manifest');
      const iat = Math.floor((opts.iat ? parseInstant(opts.iat) : Date.now()) / 1000);
      const trustVersion = opts.trustVersion === undefined ? undefined : count('trust-version', opts.trustVersion, 2 ** 31);
      const published = readPublisherState(opts.out);
      const { readFileSync } = await import('node:fs');
      const { join } = await import('node:path');
      const publishedRules = Object.fromEntries((published?.rules ?? []).map((r) => [r.name, readFileSync(join(opts.out, r.path))]));
      const { expiresAfter } = await import('../authority/trust-list-json.js');
      const { isoInstantOption } = await import('../cli/sim-command.js');
      const expires = opts.expires === undefined ? expiresAfter(iat * 1000) : isoInstantOption('expires', opts.expires);
      const signed = await signedDocumentsFor(opts, authority, published?.rootGen, trustVersion, publishedRules, expires);
      const state = publishNext({
        dir: opts.out,
        key: authority.keys.sl,
        iat,
        changes,
        newSnapshot: opts.snapshot,
        ...(opts.keepDeltas !== undefined ? { keepDeltas: count('keep-deltas', opts.keepDeltas, 10_000) } : {}),
        ...(trustVersion !== undefined && opts.plainTrust ? { trust: authority.trustList(trustVersion) } : {}),
        ...(signed ? { rootGen: signed.rootGen } : {}),
        ...(signed?.trustDocument ? { trustDocument: signed.trustDocument } : {}),
        ...(signed?.rules ? { rules: signed.rules } : {}),
      });
      if (opts.json) {
        process.stdout.write(`${JSON.stringify(state)}\n`);
      } else {
        const delta = state.deltas.at(-1);
        process.stdout.write(
          `published seq ${state.seq}: snapshot ${state.snap.path} (${state.snap.count} entries)` +
            `${delta && delta.to === state.seq ? `, delta ${delta.path} (${delta.count} records)` : ''}, manifest.cose\n`,
        );
      }
    });

  sim
    .command('serve-status')
    .description('serve a published status-list folder over HTTP until SIGINT or SIGTERM')
    .argument('<dir>', 'the folder (roadscan sim publish-status --out)')
    .option('--port <n>', 'TCP port (default: any free one)', '0')
    .option('--host <addr>', 'address to listen on', '127.0.0.1')
    .action(async (dir: string, opts: { port: string; host: string }) => {
      const { StatusServer } = await import('./status-server.js');
      const server = await StatusServer.start(dir, count('port', opts.port, 65535), opts.host);
      process.stdout.write(`${server.url}\n`);
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
      await server.close();
    });
}
