/**
 * The audit log's parts the command line uses (`audit upload`, `audit purge`, `config check`):
 * the uploader, the device's upload identity, the clock floor from the configuration. The command
 * line reaches them only through here (test/architecture/), loaded by the commands that need them.
 * @module
 */
export { AuditUploader } from '../audit/audit-uploader.js';
export { readUploadTls, UploadIdentityError } from '../audit/upload-identity.js';
export { clockFloorFromConfig } from '../clock/clock-floor-config.js';
