/**
 * The one event mechanism of zenoo: the client, the batch engine, apply and migrate each publish a discriminated
 * union of events (`type` names the kind) through an {@link EventHub}.
 *
 * Events are observations: they are delivered synchronously, in order, and a listener's return value is ignored, so
 * no listener can hold the engine up or reorder its work. What must happen before the engine goes on (a journal line
 * synced before a chunk is sent) is a hook with a contract instead (see `ChunkCheckpoint`), never an event.
 *
 * @packageDocumentation
 */

/** An event: a member of a discriminated union on `type`. */
export interface TypedEvent {
  /** The kind of event. */
  readonly type: string;
}

/** Receives events of one kind, or every event. Its return value is ignored (a promise is not awaited). */
export type EventListener<E> = (event: E) => unknown;

/** The member of the union `E` whose `type` is `T`. */
export type EventOf<E extends TypedEvent, T extends E['type']> = Extract<E, { readonly type: T }>;

/** Receives the error of a listener that threw, with the event it was given. */
export type ListenerErrorHandler = (error: unknown, event: TypedEvent) => void;

/** Reports a throwing listener as a process warning: seen on stderr, without breaking the run that emitted. */
function warnListenerError(error: unknown, event: TypedEvent): void {
  const message = error instanceof Error ? error.message : String(error);
  process.emitWarning(`A listener of "${event.type}" events threw: ${message}`, { code: 'ZENOO_LISTENER_ERROR' });
}

/**
 * Synchronous, typed fan-out of one union of events to its listeners: those of one `type`, then those of every event.
 * A listener that throws breaks neither the emitter nor the other listeners (a progress bar must not fail a run whose
 * journal is fine); its error goes to `onListenerError`, by default a process warning, so a broken observer is seen.
 *
 * @example
 * ```ts
 * const hub = new EventHub<{ type: 'start' } | { type: 'done'; ms: number }>();
 * hub.on('done', (event) => console.log(event.ms));
 * hub.onAny((event) => log.push(event.type));
 * hub.emit({ type: 'done', ms: 12 });
 * ```
 */
export class EventHub<E extends TypedEvent> {
  readonly #byType = new Map<string, Set<EventListener<never>>>();
  readonly #any = new Set<EventListener<E>>();
  readonly #onListenerError: ListenerErrorHandler;

  /** @param onListenerError receives the error of a listener that threw. @default a process warning */
  constructor(onListenerError: ListenerErrorHandler = warnListenerError) {
    this.#onListenerError = onListenerError;
  }

  /** Listens to the events of one `type`; returns a function that stops listening. */
  on<T extends E['type']>(type: T, listener: EventListener<EventOf<E, T>>): () => void {
    let listeners = this.#byType.get(type);
    if (listeners === undefined) {
      listeners = new Set();
      this.#byType.set(type, listeners);
    }
    listeners.add(listener as EventListener<never>);
    return () => this.off(type, listener);
  }

  /** Stops `listener` listening to `type`. */
  off<T extends E['type']>(type: T, listener: EventListener<EventOf<E, T>>): void {
    this.#byType.get(type)?.delete(listener as EventListener<never>);
  }

  /** Listens to every event (`undefined` is ignored, for optional `onEvent` options); returns a function that stops. */
  onAny(listener: EventListener<E> | undefined): () => void {
    if (listener === undefined) return () => undefined;
    this.#any.add(listener);
    return () => this.#any.delete(listener);
  }

  /** Delivers `event` to the listeners of its type, then to those of every event, in the order they were added. */
  emit(event: E): void {
    const typed = this.#byType.get(event.type);
    if (typed !== undefined) for (const listener of [...typed]) this.#deliver(listener as EventListener<E>, event);
    for (const listener of [...this.#any]) this.#deliver(listener, event);
  }

  #deliver(listener: EventListener<E>, event: E): void {
    try {
      const returned = listener(event);
      // Not awaited, but a rejected promise is a listener error too, not an unhandled rejection.
      if (returned instanceof Promise) returned.catch((error: unknown) => this.#onListenerError(error, event));
    } catch (error) {
      this.#onListenerError(error, event);
    }
  }
}
