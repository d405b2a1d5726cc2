/**
 * The public face of `provision/`: provisioning a device (docs/DESIGN.md, "Provisioning"), its
 * checks and its installing; app/provision.ts wires it to the runtime.
 * @module
 */
export { anchorConflict, checkAnchor, checkUrl, describeAnchor } from './anchor-checks.js';
export { writeFileAtomically } from './install-files.js';
export { ProvisionError } from './provision-error.js';
export { checkService, provision, type DeviceSyncOutcome, type ProvisionDevice, type ProvisionOptions, type ProvisionResult } from './provision.js';
export { checkAnchorAndUrl, scratchSync } from './scratch-sync.js';
