// Runs async tasks strictly one after another. PGlite executes one statement at a time and an open
// transaction would otherwise swallow statements issued by other callers, so every top-level call queues here.
// Two lanes: when the database frees up, a waiting foreground task (a pledge API request) goes before every
// waiting background task (the collector's KPI and alert reads), so in `pulse start` an API query waits at
// most for the one statement already running, not for a founder's whole KPI refresh queued ahead of it.

export type QueueLane = 'foreground' | 'background';

interface Waiting {
  readonly start: () => void;
}

export class SerialQueue {
  readonly #waiting: Record<QueueLane, Waiting[]> = { foreground: [], background: [] };
  #running = false;
  #queued = 0;

  /** Tasks submitted and not yet finished (the running one included). */
  get size(): number {
    return this.#queued;
  }

  run<T>(task: () => Promise<T>, lane: QueueLane = 'foreground'): Promise<T> {
    this.#queued++;
    return new Promise<T>((resolve, reject) => {
      this.#waiting[lane].push({
        // The next task is started before the caller hears of this one's end, so a caller that queues again
        // at once goes behind what was already waiting.
        start: () => {
          Promise.resolve()
            .then(task)
            .then(
              (value) => {
                this.#finish();
                resolve(value);
              },
              (error: unknown) => {
                this.#finish();
                reject(error);
              },
            );
        },
      });
      this.#next();
    });
  }

  #finish(): void {
    this.#queued--;
    this.#running = false;
    this.#next();
  }

  #next(): void {
    if (this.#running) return;
    const next = this.#waiting.foreground.shift() ?? this.#waiting.background.shift();
    if (!next) return;
    this.#running = true;
    next.start();
  }
}
