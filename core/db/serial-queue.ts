// Runs async tasks strictly one after another. PGlite executes one statement at a time and an open
// transaction would otherwise swallow statements issued by other callers, so every top-level call queues here.

export class SerialQueue {
  #tail: Promise<unknown> = Promise.resolve();
  #queued = 0;

  /** Tasks submitted and not yet finished (the running one included). */
  get size(): number {
    return this.#queued;
  }

  run<T>(task: () => Promise<T>): Promise<T> {
    this.#queued++;
    const result = this.#tail.then(task).finally(() => {
      this.#queued--;
    });
    this.#tail = result.catch(() => undefined);
    return result;
  }
}
