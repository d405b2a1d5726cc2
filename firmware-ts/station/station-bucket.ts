/**
 * The station's replicated key-value bucket, as the once-only store needs it: an atomic create,
 * a read, and a delete conditional on the revision read. This interface is all the store knows
 * of NATS, so the store's rules (deadline, fallback, handover) read apart from the client library.
 * @module
 */

/** The bucket already holds this key (a create lost the race, or the key was never released). */
export class KeyExistsError extends Error {
  constructor(subject: string) {
    super(`station bucket: ${subject} exists`);
    this.name = 'KeyExistsError';
  }
}

/** No connection to any server of the station (yet, or any more): answered at once, no waiting. */
export class NotConnectedError extends Error {
  constructor() {
    super('station bucket: not connected');
    this.name = 'NotConnectedError';
  }
}

/** The value under a key cannot be a once-only record (too large, say): held by someone unreadable. */
export class UnreadableValueError extends Error {
  constructor(
    subject: string,
    readonly reason: string,
  ) {
    super(`station bucket: ${subject}: ${reason}`);
    this.name = 'UnreadableValueError';
  }
}

export interface BucketEntry {
  value: Uint8Array;
  revision: number;
}

export interface StationBucketState {
  connected: boolean;
  /** The server this device talks to now, or null. */
  server: string | null;
  /** The servers configured, as given. */
  servers: readonly string[];
  /** How long the link has been down, ms (0 while connected; since start when never connected). */
  downForMs: number;
  /**
   * Why the bucket is not used although the link may be up (its settings are not the station's:
   * one line naming the setting), or null. While set, `connected` is false: every answer is alone.
   */
  fault: string | null;
  /** Times a bucket was found unfit since start (the metric counts them). */
  faultsFound?: number;
}

export interface StationBucket {
  /** Writes `value` under `subject` only if it has none (or a deleted one); its revision. */
  create(subject: string, value: Uint8Array): Promise<number>;
  /** The live value under `subject`, or null (never written, deleted or expired). */
  get(subject: string): Promise<BucketEntry | null>;
  /** Deletes `subject` only if its last revision is still `revision`; false when it moved on. */
  deleteIf(subject: string, revision: number): Promise<boolean>;
  state(): StationBucketState;
  /** Told on every change of `state().connected`. */
  onConnectionChange(listener: (connected: boolean) => void): void;
  close(): Promise<void>;
}
