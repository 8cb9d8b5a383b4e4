// Times each database call and hands the result to the subscribed listeners: the single observation point
// that the agent's query-duration metric attaches to, shared by both implementations.
import type { DatabaseKind, QueryEvent, QueryListener } from './types.ts';

export class QueryEvents {
  readonly #listeners = new Set<QueryListener>();

  constructor(private readonly database: DatabaseKind) {}

  subscribe(listener: QueryListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Runs `call`, then reports its duration; `countRows` reads the row count off a successful result. */
  async observe<T>(
    queryName: string,
    operation: QueryEvent['operation'],
    call: () => Promise<T>,
    countRows: (result: T) => number,
  ): Promise<T> {
    const started = process.hrtime.bigint();
    let failed = true;
    let rowCount = 0;
    try {
      const result = await call();
      failed = false;
      rowCount = countRows(result);
      return result;
    } finally {
      if (this.#listeners.size > 0) {
        const durationSeconds = Number(process.hrtime.bigint() - started) / 1e9;
        const event: QueryEvent = {
          queryName,
          operation,
          database: this.database,
          durationSeconds,
          rowCount,
          failed,
        };
        for (const listener of this.#listeners) listener(event);
      }
    }
  }
}
