#!/usr/bin/env node
// Entry point for `npx roadscan`: runs the compiled CLI (npm install builds it through `prepare`).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const main = new URL('../dist/firmware-ts/cli/main.js', import.meta.url);
if (!existsSync(fileURLToPath(main))) {
  process.stderr.write('roadscan: not built yet; run `npm install` or `npm run build` first\n');
  process.exit(2);
}
await import(main.href);
