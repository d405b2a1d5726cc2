/**
 * A problem with how the device is set up (configuration, trust anchor, database, rules data)
 * that a person must fix. Thrown only while something is being built; the command line prints
 * it as one line and exits 2, and a running service never sees one: after start-up, data that
 * cannot be used is logged and the service keeps what it had (docs/DESIGN.md, "Faults").
 * @module
 */

export class SetupError extends Error {
  override name = 'SetupError';
}
