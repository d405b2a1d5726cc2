/**
 * The composition root's face: the one place that builds the appliance's parts from the
 * configuration. The command line, the simulator and the benchmarks import from here.
 * The once-only step (`once-only.ts`, with the station's NATS client) is imported on its own,
 * so what does not need it never loads it; so is `shippedChecker` (the benchmarks' checker).
 * @module
 */
export * from './setup-error.js';
export * from './runtime-options.js';
export * from './runtime.js';
export * from './trust.js';
export * from './checker.js';
export * from './rules.js';
export * from './status-source.js';
export * from './hal-options.js';
export * from './process-guard.js';
export * from './policy-in-force.js';
export * from './scan-path.js';
export { DEFAULT_CONFIG_FILE, DEFAULT_DB_FILE } from '../paths.js';
export * from './audit-log-open.js';
