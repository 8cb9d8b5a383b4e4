// Bounds expensive work that shares the event loop, the database pool and the heap: at most `maxRunning`
// tasks at once, at most `maxQueued` more waiting in arrival order, and past that a task is refused at once
// with a BusyError carrying how long to wait — rather than letting a burst pile up memory and loop time.
// A waiting task whose caller has gone (its signal aborted) leaves the line without running.

export interface ConcurrencyLimitOptions {
  readonly maxRunning: number;
  readonly maxQueued: number;
}

export class BusyError extends Error {
  override readonly name = 'BusyError';
  constructor(readonly retryAfterSeconds: number) {
    super(`busy: ${retryAfterSeconds} s`);
  }
}

interface Waiter {
  readonly start: () => void;
}

/** What a task is assumed to take before one has finished; then a moving average of the last ones. */
const initialTaskMs = 1_000;
const maxRetryAfterSeconds = 60;

export class ConcurrencyLimit {
  readonly maxRunning: number;
  readonly maxQueued: number;
  readonly #queue: Waiter[] = [];
  #running = 0;
  #averageTaskMs = initialTaskMs;

  constructor({ maxRunning, maxQueued }: ConcurrencyLimitOptions) {
    if (!(Number.isInteger(maxRunning) && maxRunning >= 1 && Number.isInteger(maxQueued) && maxQueued >= 0)) {
      throw new RangeError(
        `maxRunning must be at least 1 and maxQueued at least 0 (${maxRunning}, ${maxQueued})`,
      );
    }
    this.maxRunning = maxRunning;
    this.maxQueued = maxQueued;
  }

  get running(): number {
    return this.#running;
  }

  get queued(): number {
    return this.#queue.length;
  }

  /** Runs `task` in a slot, waiting for one if needed; throws BusyError when the line is full. */
  async run<T>(task: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    await this.#acquire(signal);
    const started = performance.now();
    try {
      return await task();
    } finally {
      this.#averageTaskMs = 0.8 * this.#averageTaskMs + 0.2 * (performance.now() - started);
      this.#release();
    }
  }

  /** Seconds until a slot is likely free: everyone ahead, served `maxRunning` at a time. */
  retryAfterSeconds(): number {
    const rounds = (this.#running + this.#queue.length) / this.maxRunning;
    return Math.min(maxRetryAfterSeconds, Math.max(1, Math.ceil((rounds * this.#averageTaskMs) / 1000)));
  }

  #acquire(signal: AbortSignal | undefined): Promise<void> {
    signal?.throwIfAborted();
    if (this.#running < this.maxRunning) {
      this.#running++;
      return Promise.resolve();
    }
    if (this.#queue.length >= this.maxQueued) throw new BusyError(this.retryAfterSeconds());
    return new Promise((resolve, reject) => {
      const leave = () => {
        const at = this.#queue.indexOf(waiter);
        if (at !== -1) this.#queue.splice(at, 1);
        reject(signal?.reason);
      };
      const waiter: Waiter = {
        start: () => {
          signal?.removeEventListener('abort', leave);
          resolve();
        },
      };
      signal?.addEventListener('abort', leave, { once: true });
      this.#queue.push(waiter);
    });
  }

  /** A finished task hands its slot straight to the first waiter, so `running` never dips between them. */
  #release(): void {
    const next = this.#queue.shift();
    if (next) next.start();
    else this.#running--;
  }
}
