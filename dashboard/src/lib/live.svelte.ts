// The live stream from GET /api/events: health ticks and alert transitions, read with fetch (EventSource
// cannot send the token) and parsed as server-sent events. It reconnects after a drop with a short delay,
// and says whether it is connected so the page can show it.
import { openEventStream } from './api.ts';
import type { LiveEvent } from './api-types.ts';

export type LiveListener = (event: LiveEvent) => void;

export class LiveStream {
  connected = $state(false);
  #controller: AbortController | null = null;
  #listeners = new Set<LiveListener>();

  subscribe(listener: LiveListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  start(token: string): void {
    this.stop();
    const controller = new AbortController();
    this.#controller = controller;
    void this.#run(token, controller.signal);
  }

  stop(): void {
    this.#controller?.abort();
    this.#controller = null;
    this.connected = false;
  }

  async #run(token: string, signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      try {
        const response = await openEventStream(token, signal);
        this.connected = true;
        await this.#read(response, signal);
      } catch {
        // Dropped or refused: wait and reconnect below.
      }
      this.connected = false;
      if (!signal.aborted) await new Promise((resolve) => setTimeout(resolve, 3_000));
    }
  }

  async #read(response: Response, signal: AbortSignal): Promise<void> {
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    const decoder = new TextDecoder();
    let buffer = '';
    while (!signal.aborted) {
      const { value, done } = await reader.read();
      if (done) return;
      buffer += decoder.decode(value, { stream: true });
      let end = buffer.indexOf('\n\n');
      while (end >= 0) {
        this.#dispatch(buffer.slice(0, end));
        buffer = buffer.slice(end + 2);
        end = buffer.indexOf('\n\n');
      }
    }
  }

  #dispatch(block: string): void {
    let name = '';
    let data = '';
    for (const line of block.split('\n')) {
      if (line.startsWith('event: ')) name = line.slice(7);
      else if (line.startsWith('data: ')) data += line.slice(6);
    }
    if ((name !== 'health' && name !== 'alert') || !data) return;
    const event = { name, data: JSON.parse(data) } as LiveEvent;
    for (const listener of this.#listeners) listener(event);
  }
}

export const live = new LiveStream();
