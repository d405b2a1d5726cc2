/**
 * The entry of `roadscan verify` alone (bin/roadscan.js starts it when `verify` is the first
 * argument): the same program and the same command as the whole command line, without the other
 * commands' modules, so a cold `roadscan verify` reads a file or two rather than thirty.
 * @module
 */
import { register as registerVerify } from './commands/verify.js';
import { createProgram, runProgram } from './program.js';

const program = createProgram();
registerVerify(program);
await runProgram(program);
