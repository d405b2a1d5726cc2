/**
 * An error the user can fix on the command line (a bad option): printed as one line, exit
 * status 2, like a `SetupError` from the composition root.
 * @module
 */
import { SetupError } from '../app/setup-error.js';

export class UsageError extends SetupError {
  override name = 'UsageError';
}
