/**
 * Why provisioning stopped before changing anything, or could not install: one line a person
 * acts on. app/provision.ts hands it on as a SetupError (the command line prints it and exits 2).
 * @module
 */

export class ProvisionError extends Error {
  override name = 'ProvisionError';
}
