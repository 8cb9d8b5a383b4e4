// A raw TCP client for the tests that fetch() cannot express: a request sent slowly or never finished, a
// connection held open, and exactly when the server answers or closes it.
import { connect, type Socket } from 'node:net';

export class RawConnection {
  readonly socket: Socket;
  /** Everything the server sent so far. */
  received = '';
  /** Milliseconds from connecting to the server closing the connection; null while open. */
  closedAfterMs: number | null = null;
  readonly #opened = performance.now();
  readonly #waiters = new Set<() => void>();

  constructor(url: string, firstBytes: string) {
    const { hostname, port } = new URL(url);
    this.socket = connect(Number(port), hostname, () => this.socket.write(firstBytes));
    this.socket.on('data', (chunk) => {
      this.received += chunk;
      this.#notify();
    });
    this.socket.on('error', () => undefined);
    this.socket.on('close', () => {
      this.closedAfterMs = performance.now() - this.#opened;
      this.#notify();
    });
  }

  /** The status line, once received ('' before). */
  get statusLine(): string {
    const end = this.received.indexOf('\r\n');
    return end < 0 ? '' : this.received.slice(0, end);
  }

  /** The body after the head, once the head is complete. */
  get body(): string {
    const end = this.received.indexOf('\r\n\r\n');
    return end < 0 ? '' : this.received.slice(end + 4);
  }

  get closed(): boolean {
    return this.closedAfterMs !== null;
  }

  /** Sends `text` every `everyMs` while the connection is open (a client that never finishes). */
  trickle(text: string, everyMs: number): void {
    const timer = setInterval(() => {
      if (this.socket.writable) this.socket.write(text);
    }, everyMs);
    this.socket.on('close', () => clearInterval(timer));
  }

  /** Resolves true as soon as `condition` holds, false if it still does not after `timeoutMs`. */
  until(condition: (connection: RawConnection) => boolean, timeoutMs: number): Promise<boolean> {
    if (condition(this)) return Promise.resolve(true);
    return new Promise((resolve) => {
      const check = () => {
        if (!condition(this)) return;
        clearTimeout(timer);
        this.#waiters.delete(check);
        resolve(true);
      };
      const timer = setTimeout(() => {
        this.#waiters.delete(check);
        resolve(false);
      }, timeoutMs);
      this.#waiters.add(check);
    });
  }

  close(): void {
    this.socket.destroy();
  }

  #notify(): void {
    for (const waiter of [...this.#waiters]) waiter();
  }
}
