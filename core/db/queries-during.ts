// The queries a piece of work issued, in order, with their durations and row counts (Db.onQuery): what the
// KPI tests assert ("no pledge read") and the KPI benchmark prints ("where the time goes").
import type { Db, QueryEvent } from './types.ts';

export async function queriesDuring(db: Db, work: () => Promise<unknown>): Promise<QueryEvent[]> {
  const events: QueryEvent[] = [];
  const stop = db.onQuery((event) => events.push(event));
  try {
    await work();
  } finally {
    stop();
  }
  return events;
}
