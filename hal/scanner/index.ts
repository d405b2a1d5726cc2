/**
 * The scanner: the face the rest of the program uses (frames and states in). The drivers
 * themselves (serial, simulated, merged with a camera) are made by `createHal`.
 * @module
 */
export type { DroppedFrame, ScanFrame, Scanner, ScannerEvents, ScannerState, ScannerStateChange } from './scanner.js';
