// Runs async tasks strictly one after another. PGlite executes one statement at a time and an open
// transaction would otherwise swallow statements issued by other callers, so every top-level call queues here.

export class SerialQueue {
  #tail: Promise<unknown> = Promise.resolve();

  run<T>(task: () => Promise<T>): Promise<T> {
    const result = this.#tail.then(task);
    this.#tail = result.catch(() => undefined);
    return result;
  }
}
