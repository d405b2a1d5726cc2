#!/usr/bin/env node
// Bundles the compiled CLI into a few files (dist/bundle/): a cold `roadscan verify` spends most
// of its time resolving and reading hundreds of small ES modules; one file loads in a fraction.
// Native and heavy packages stay external and load only when a command needs them.
import { build } from 'esbuild';
import { existsSync, renameSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const target = join(root, 'dist/bundle');
// Built beside the live bundle and swapped in, so a CLI started meanwhile never sees half of it.
const fresh = `${target}.new-${process.pid}`;
// zod re-exports every message locale (`z.locales`); roadscan speaks only zod's default English
// messages, so the bundle carries that one: parsing 60-odd locale modules was a fifth of a cold
// `roadscan verify`.
const englishOnlyZod = {
  name: 'english-only-zod',
  setup(b) {
    b.onResolve({ filter: /locales\/index\.js$/ }, (args) =>
      args.importer.includes(`${join('node_modules', 'zod')}`) ? { path: join(dirname(args.importer), '..', 'locales', 'en.js'), namespace: 'zod-en' } : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: 'zod-en' }, (args) => ({
      contents: `export { default as en } from ${JSON.stringify(args.path)};`,
      resolveDir: dirname(args.path),
    }));
  },
};

/** What both bundles share: native and heavy packages stay outside, loaded only when needed. */
const common = {
  plugins: [englishOnlyZod],
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  sourcemap: 'linked',
  logLevel: 'warning',
  // CommonJS dependencies (commander) require node builtins; give the ES module bundle a require.
  banner: { js: "import { createRequire as __roadscanRequire } from 'node:module'; const require = __roadscanRequire(import.meta.url);" },
  external: [
    'better-sqlite3',
    'serialport',
    '@serialport/*',
    'onoff',
    'epoll',
    'sharp',
    'jsqr',
    'zxing-wasm',
    'pino',
    'pino-pretty',
    'prom-client',
    'cbor-extract',
    'playwright-core',
  ],
};

await build({ ...common, entryPoints: [join(root, 'dist/firmware-ts/cli/main.js')], outdir: fresh });
// `roadscan verify` alone (bin/roadscan.js starts it for `roadscan verify ...`): a build of its own,
// so the modules it needs are one file rather than the thirty-odd chunks the whole command line
// is split into; only what it loads lazily (a gate's once-only step, a bad file's full check)
// becomes chunks of its own.
await build({ ...common, entryPoints: [join(root, 'dist/firmware-ts/cli/verify-main.js')], outdir: join(fresh, 'verify') });

const old = `${target}.old-${process.pid}`;
if (existsSync(target)) renameSync(target, old);
renameSync(fresh, target);
rmSync(old, { recursive: true, force: true });
