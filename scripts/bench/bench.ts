/**
 * `npm run bench`: every benchmark of the project, printed as one table per area, with the
 * machine's conditions. Each area runs on its own; one that fails is reported, not hidden.
 * @module
 */
import { cpus, totalmem } from 'node:os';
import { formatRows, type BenchRow } from './bench-row.js';

type Area = [title: string, load: () => Promise<() => Promise<BenchRow[]>>];

const areas: Area[] = [
  ['scan path (verify)', async () => (await import('./bench-verify.js')).runVerifyBench],
  ['SM2 against Ed25519 (verifier choice, live codes through verify)', async () => (await import('./bench-sm2.js')).runSm2Bench],
  ['hostile codes (bounded cost of a check)', async () => (await import('./bench-hostile.js')).runHostileBench],
  ['status list', async () => (await import('./bench-status.js')).runStatusBench],
  ['hardware layer (scanner latency, pictures)', async () => (await import('./bench-hal.js')).runHalBench],
  ['camera (latency, throughput, beside zbar)', async () => (await import('./bench-camera.js')).runCameraBench],
  ['audit log', async () => (await import('./bench-audit.js')).runAuditBench],
  ['feedback first, durable before it ends', async () => (await import('./bench-durable.js')).runDurableBench],
  ['operator screen (scan -> page)', async () => (await import('./bench-screen.js')).runScreenBench],
  ['station once-only (shared NATS vs local SQLite)', async () => (await import('./bench-station.js')).runStationBench],
];

const only = process.argv[2];
console.log(
  `# roadscan bench: node ${process.version}, ${cpus().length} x ${cpus()[0]?.model ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, ${new Date().toISOString()}`,
);
let failed = false;
for (const [title, load] of areas) {
  if (only && !title.includes(only)) continue;
  try {
    console.log(formatRows(title, await (await load())()));
  } catch (err) {
    failed = true;
    console.log(`\n## ${title}\n  FAILED: ${(err as Error).message}`);
  }
}
process.exitCode = failed ? 1 : 0;
