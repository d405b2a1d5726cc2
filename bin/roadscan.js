#!/usr/bin/env node
// Entry point for `npx roadscan`: runs the built CLI (npm install builds it through `prepare`).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

// `roadscan verify ...` has a bundle of its own that loads nothing but that command (a cold start
// in a fraction of the whole command line's); the same program answers either way.
const verifyOnly = process.argv[2] === 'verify' ? ['../dist/bundle/verify/verify-main.js'] : [];
const candidates = [...verifyOnly, '../dist/bundle/main.js', '../dist/firmware-ts/cli/main.js'].map((p) => new URL(p, import.meta.url));
const main = candidates.find((u) => existsSync(fileURLToPath(u)));
if (!main) {
  process.stderr.write('roadscan: not built yet; run `npm install` or `npm run build` first\n');
  process.exit(2);
}
await import(main.href);
