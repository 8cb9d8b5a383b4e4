// Cache of computed KPI periods, kept correct through the kpi_changes log that triggers fill on every write
// (queries/migrations/0002_kpi_change_log.sql). Each sync reads the log entries that may be new since the
// last one and drops every cached period ending after the earliest changed instant — so a backfilled or
// imported row in a closed period invalidates it, and everything after it.
//
// "New since" is tracked by transaction id, not by insertion order: a writer that took its log row early
// may commit late. pg_snapshot_xmin marks the oldest transaction still in flight when our snapshot was
// taken; entries from it onwards are read again next time (harmless: they only invalidate).
import { defineQuery } from '../db/query.ts';
import type { Queryable } from '../db/types.ts';
import type { PeriodFacts } from './assemble.ts';
import type { KpiInterval } from './types.ts';

/** The log is pruned after a day; a cache that has not synced for half of that cannot trust its gaps. */
const maxSyncGapMs = 12 * 3_600_000;

const snapshotXmin = defineQuery<Record<string, never>, { xmin: string }>(
  'kpi.snapshotXmin',
  'SELECT pg_snapshot_xmin(pg_current_snapshot())::text AS xmin',
);
const changesSince = defineQuery<{ since: string }, { changedFrom: Date | null; xmin: string }>(
  'kpi.changesSince',
  `SELECT (SELECT min(changed_from) FROM kpi_changes WHERE xid >= :since::xid8) AS "changedFrom",
          pg_snapshot_xmin(pg_current_snapshot())::text AS xmin`,
);

export class PeriodCache {
  readonly #periods = new Map<KpiInterval, Map<number, PeriodFacts>>();
  #xmin: string | null = null;
  #syncedAt = 0;

  get(interval: KpiInterval, start: Date): PeriodFacts | undefined {
    return this.#periods.get(interval)?.get(start.getTime());
  }

  set(interval: KpiInterval, facts: PeriodFacts): void {
    const byStart = this.#periods.get(interval) ?? new Map<number, PeriodFacts>();
    this.#periods.set(interval, byStart);
    byStart.set(Date.parse(facts.periodStart), facts);
  }

  get size(): number {
    let total = 0;
    for (const byStart of this.#periods.values()) total += byStart.size;
    return total;
  }

  clear(): void {
    this.#periods.clear();
  }

  /** Must run inside the transaction whose snapshot the next computation reads. */
  async sync(tx: Queryable, now: number): Promise<void> {
    if (this.#xmin === null || now - this.#syncedAt > maxSyncGapMs) {
      this.clear();
      const [row] = await tx.query(snapshotXmin, {});
      this.#xmin = row?.xmin ?? null;
    } else {
      const [row] = await tx.query(changesSince, { since: this.#xmin });
      if (row?.changedFrom) this.invalidateFrom(row.changedFrom);
      this.#xmin = row?.xmin ?? null;
    }
    this.#syncedAt = now;
  }

  /** Drops every period whose values can depend on `instant`: those ending after it. */
  invalidateFrom(instant: Date): void {
    const at = instant.getTime();
    for (const byStart of this.#periods.values()) {
      for (const [start, facts] of byStart) {
        if (Date.parse(facts.periodEnd) > at) byStart.delete(start);
      }
    }
  }
}
