// Times each database call and hands the result to the subscribed listeners, and reports it on the data-layer
// query channel (core/telemetry/db-channels.ts) that the drop-in agent records: the single observation point
// of both implementations. Publishing costs nothing when no agent is loaded.
import { queryChannel } from '../telemetry/db-channels.ts';
import type { DatabaseKind, QueryEvent, QueryListener } from './types.ts';

export class QueryEvents {
  readonly #listeners = new Set<QueryListener>();

  constructor(
    private readonly database: DatabaseKind,
    /** The pool's name in the metrics: `<application> <location>`. */
    private readonly poolName: string,
  ) {}

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
      if (this.#listeners.size > 0 || queryChannel.hasSubscribers) {
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
        if (queryChannel.hasSubscribers) {
          queryChannel.publish({
            summary: queryName,
            operation,
            system: 'postgresql',
            poolName: this.poolName,
            durationSeconds,
            failed,
          });
        }
      }
    }
  }
}
