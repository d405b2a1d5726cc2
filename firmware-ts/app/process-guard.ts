/**
 * The last line of defence of a long-running service: an error that escaped every handler is
 * logged on one line and ends the process with status 70 (EX_SOFTWARE), which systemd's
 * `Restart=on-failure` restarts; never 2, which the unit reserves for set-up problems a restart
 * cannot fix (`RestartPreventExitStatus=2`). Data received while running never gets here:
 * the parts that receive it keep what they had and say why.
 * @module
 */

/** Exit status of a process ended by an error nothing handled. */
export const EXIT_INTERNAL = 70;

interface ErrorLogger {
  fatal(obj: object, msg: string): void;
  flush?(): void;
}

let installed = false;

export function guardProcess(logger: ErrorLogger): void {
  if (installed) return;
  installed = true;
  const die = (kind: string) => (err: unknown) => {
    try {
      logger.fatal({ err: err instanceof Error ? err : { message: String(err) } }, `${kind}: the service ends and is restarted`);
      logger.flush?.();
    } finally {
      process.exit(EXIT_INTERNAL);
    }
  };
  process.on('unhandledRejection', die('unhandled rejection'));
  process.on('uncaughtException', die('uncaught exception'));
}
