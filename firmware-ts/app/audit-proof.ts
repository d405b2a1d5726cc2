/**
 * The audit chain's proofs as the command line uses them (`audit export --proof`, `audit verify`,
 * `status`): the export's proof lines, the device key, the offline check of an export. The command
 * line reaches them only through here (test/architecture/), loaded by the commands that need them.
 * @module
 */
export { proofLines } from '../audit/audit-proof.js';
export { DeviceKeyError, parsePublicKey, readDeviceKeyInfo } from '../audit/device-key.js';
export { fileLines, verifyProof } from '../audit/proof-verify.js';
