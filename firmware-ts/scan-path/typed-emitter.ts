/**
 * A small typed event emitter, in the manner of zigbee-herdsman's event maps: an interface maps
 * each event name to its payload type, so a subscriber's parameter is typed by the name it
 * subscribes to, and a name that does not exist does not compile. Node's EventEmitter types every
 * payload as `any[]`, which is how an output that reads a field the event never had goes unseen.
 *
 * Subscribers are called in the order they subscribed, synchronously. One that throws is reported
 * to `onSubscriberError` and the others still hear the event: an output (the screen, metrics, a
 * closed pipe) never breaks the path that emits.
 * @module
 */

/** What an event map looks like: event name -> payload type. */
export type EventMap<E> = { [K in keyof E]: unknown };

export type Subscriber<T> = (payload: T) => void;

export class TypedEmitter<E extends EventMap<E>> {
  private readonly subscribers: { [K in keyof E]?: Subscriber<E[K]>[] } = {};

  constructor(private readonly onSubscriberError: (event: keyof E, err: unknown) => void = () => undefined) {}

  /** Adds a subscriber; returns the function that removes it. */
  on<K extends keyof E>(event: K, fn: Subscriber<E[K]>): () => void {
    const list = this.subscribers[event] ?? [];
    this.subscribers[event] = [...list, fn];
    return () => this.off(event, fn);
  }

  off<K extends keyof E>(event: K, fn: Subscriber<E[K]>): void {
    const list = this.subscribers[event];
    if (list) this.subscribers[event] = list.filter((f) => f !== fn);
  }

  /** How many subscribers an event has (tests; a host that must have wired an output). */
  subscriberCount(event: keyof E): number {
    return this.subscribers[event]?.length ?? 0;
  }

  protected emit<K extends keyof E>(event: K, payload: E[K]): void {
    // Lists are replaced, never changed in place: a subscriber that unsubscribes while told skips no one.
    for (const fn of this.subscribers[event] ?? []) {
      try {
        fn(payload);
      } catch (err) {
        this.onSubscriberError(event, err);
      }
    }
  }
}
