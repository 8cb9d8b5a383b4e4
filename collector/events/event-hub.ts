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
  readonly #listeners = new Set<LiveListener>();

  publish(name: LiveEventName, data: unknown): void {
    for (const listener of this.#listeners) listener({ name, data });
  }

  subscribe(listener: LiveListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  get listenerCount(): number {
    return this.#listeners.size;
  }
}
