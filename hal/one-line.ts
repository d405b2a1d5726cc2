/**
 * Device and library messages are shown to people and written to logs: one line, bounded, no
 * control or invisible characters. The rule itself is the project's one text-safety module.
 * @module
 */
export { oneLine } from '../firmware-ts/core/text-safety.js';
