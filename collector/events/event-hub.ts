// The collector's live-update fan-out: the health source's ticks and the alert service's transitions are
// published here once, and every open server-sent-events stream receives them. Nothing is buffered for
// absent listeners: a browser that reconnects reads the current state from the JSON API first.

export type LiveEventName = 'health' | 'alert';

export interface LiveEvent {
  readonly name: LiveEventName;
  readonly data: unknown;
}

export type LiveListener = (event: LiveEvent) => void;

export class EventHub {
  readonly #listeners = new Map<LiveListener, () => void>();

  publish(name: LiveEventName, data: unknown): void {
    for (const listener of this.#listeners.keys()) listener({ name, data });
  }

  /** `end` is called when the hub closes (the collector stopping), so the stream can finish cleanly. */
  subscribe(listener: LiveListener, end: () => void = () => undefined): () => void {
    this.#listeners.set(listener, end);
    return () => this.#listeners.delete(listener);
  }

  /** Ends every subscription. */
  close(): void {
    const ends = [...this.#listeners.values()];
    this.#listeners.clear();
    for (const end of ends) end();
  }

  get listenerCount(): number {
    return this.#listeners.size;
  }
}
