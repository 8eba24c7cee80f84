/**
 * Listener lists for the chain's events. Listeners run synchronously after the state changed; a
 * listener that throws does not stop the chain nor the other listeners: its error goes to
 * `onListenerError` (a process warning by default).
 */
export class EventList<T> {
  private readonly listeners = new Set<(value: T) => void>();

  constructor(
    private readonly name: string,
    private readonly onListenerError: (error: unknown, event: string) => void,
  ) {}

  /** Adds a listener; returns the function that removes it. */
  on(listener: (value: T) => void): () => void {
    if (typeof listener !== 'function') throw new TypeError(`${this.name} listener: expected a function`);
    const wrapped = (value: T): void => listener(value);
    this.listeners.add(wrapped);
    return () => {
      this.listeners.delete(wrapped);
    };
  }

  emit(value: T): void {
    for (const listener of [...this.listeners]) {
      try {
        listener(value);
      } catch (error) {
        this.onListenerError(error, this.name);
      }
    }
  }

  get size(): number {
    return this.listeners.size;
  }
}

/** The default for a listener's error: a process warning naming the event. */
export function warnListenerError(error: unknown, event: string): void {
  process.emitWarning(`devnet chain: a ${event} listener threw: ${error instanceof Error ? error.message : String(error)}`, { code: 'UTXO_RELAY_DEVNET_LISTENER' });
}
