/**
 * The service's start and stop as named phases, in an order written down once (service-host.ts
 * adds each phase where its part is built; `start` and `stop` walk this table):
 *
 * | phase        | start                                      | stop                                              |
 * |--------------|--------------------------------------------|---------------------------------------------------|
 * | screen       | 1. listen (before the device: the page gets the first status and scan) | 9. close      |
 * | device       | 2. indicator, buttons, scanner; status strip | 1. stop reading, finish the scans in hand, LEDs dark, HAL released |
 * | health       | 3. listen                                  | 8. close                                          |
 * | list sync    | 4. first round, then its period            | 7. stop                                           |
 * | audit purge  | 5. first purge, then its period            | 6. stop                                           |
 * | audit upload | 6. first round, then its period            | 5. stop                                           |
 * | scan path    | (built ready)                              | 2. pending decision forgotten, store unheard      |
 * | status list  | (opened when built)                        | 3. clock floor flushed, list store closed         |
 * | records      | (the audit writer, opened when built)      | 4. what the scans handed over written, or said    |
 * | once-only    | (store opened, purge timer set when built) | 10. purge timer cleared, store closed             |
 * | database watch | (watching when built)                    | 11. stop watching                                 |
 * @module
 */

export type PhaseName =
  | 'screen'
  | 'device'
  | 'health'
  | 'list sync'
  | 'audit purge'
  | 'audit upload'
  | 'scan path'
  | 'status list'
  | 'records'
  | 'once-only'
  | 'database watch';

export interface Phase {
  start?(): Promise<void>;
  stop?(): void | Promise<void>;
}

/** The order of the table above. */
const START: readonly PhaseName[] = ['screen', 'device', 'health', 'list sync', 'audit purge', 'audit upload'];
const STOP: readonly PhaseName[] = [
  'device',
  'scan path',
  'status list',
  'records',
  'audit upload',
  'audit purge',
  'list sync',
  'health',
  'screen',
  'once-only',
  'database watch',
];

export class ServicePhases {
  private readonly phases = new Map<PhaseName, Phase>();

  add(name: PhaseName, phase: Phase): void {
    this.phases.set(name, phase);
  }

  /** Starts the phases in their order; a phase whose start rejects (the device's indicator) stops the start. */
  async start(): Promise<void> {
    for (const name of START) await this.phases.get(name)?.start?.();
  }

  /** Stops the phases in their order, each best effort. */
  async stop(): Promise<void> {
    for (const name of STOP) {
      try {
        await this.phases.get(name)?.stop?.();
      } catch {
        // Stopping is best effort; the database closes after this.
      }
    }
  }
}
