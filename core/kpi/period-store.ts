// Computed KPI periods kept in the database (kpi_period_store, migration 0008): what one computation did
// survives a restart and serves every collector on the same database.
//
// A stored period carries the snapshot it was computed in. It is served to a reader only while the change
// log (kpi_changes, migration 0002) holds no entry, visible to that reader, from a transaction the stored
// snapshot did not see and reaching back before the period's end — the same rule that drops periods from
// the in-memory cache, decided in the reader's own snapshot, so a stored period and freshly computed ones
// describe the same rows. Writers never touch the store: validity is a property of the log.
//
// The log is pruned after a day; before its entries go, the stored periods they invalidate are deleted in
// the same transaction, so no stale period can outlive the entry that condemns it. The store is bounded by
// row count (newest kept).
import { defineQuery } from '../db/query.ts';
import type { Db, Queryable } from '../db/types.ts';
import type { PeriodFacts } from './assemble.ts';
import type { Period } from './periods.ts';
import type { KpiInterval } from './types.ts';

/** About 1 KB each on disk with the index: 100,000 periods ≈ 100 MB at most. */
export const defaultStoredPeriods = 100_000;

const currentSnapshot = defineQuery<Record<string, never>, { snapshot: string }>(
  'kpi.currentSnapshot',
  'SELECT pg_current_snapshot()::text AS snapshot',
);

const validStored = defineQuery<
  { interval: KpiInterval; firstStart: Date; lastStart: Date },
  { facts: PeriodFacts }
>(
  'kpi.loadStoredPeriods',
  `SELECT s.facts
     FROM kpi_period_store s
    WHERE s.period_interval = :interval AND s.period_start >= :firstStart AND s.period_start <= :lastStart
      AND NOT EXISTS (
        SELECT 1 FROM kpi_changes c
         WHERE c.xid >= s.computed_xmin AND c.changed_from < s.period_end
           AND NOT pg_visible_in_snapshot(c.xid, s.computed_in))`,
);

const storePeriods = defineQuery<{ interval: KpiInterval; facts: string; snapshot: string }, never>(
  'kpi.storePeriods',
  `INSERT INTO kpi_period_store
          (period_interval, period_start, period_end, facts, computed_in, computed_xmin)
   SELECT :interval, (f->>'periodStart')::timestamptz, (f->>'periodEnd')::timestamptz, f,
          :snapshot::pg_snapshot, pg_snapshot_xmin(:snapshot::pg_snapshot)
     FROM jsonb_array_elements(:facts::jsonb) AS f
   ON CONFLICT (period_interval, period_start) DO UPDATE
      SET period_end = EXCLUDED.period_end, facts = EXCLUDED.facts, computed_in = EXCLUDED.computed_in,
          computed_xmin = EXCLUDED.computed_xmin, stored_at = now()
    WHERE kpi_period_store.computed_xmin <= EXCLUDED.computed_xmin`,
);

const deleteInvalidStored = defineQuery<Record<string, never>, never>(
  'kpi.deleteInvalidStored',
  `DELETE FROM kpi_period_store s
    WHERE EXISTS (
      SELECT 1 FROM kpi_changes c
       WHERE c.xid >= s.computed_xmin AND c.changed_from < s.period_end
         AND NOT pg_visible_in_snapshot(c.xid, s.computed_in))`,
);

const deleteOldestStored = defineQuery<{ keep: number }, never>(
  'kpi.deleteOldestStored',
  `DELETE FROM kpi_period_store
    WHERE stored_at < (SELECT stored_at FROM kpi_period_store ORDER BY stored_at DESC OFFSET :keep LIMIT 1)`,
);

const pruneChangeLog = defineQuery<Record<string, never>, never>(
  'kpi.pruneChangeLog',
  "DELETE FROM kpi_changes WHERE recorded_at < now() - interval '1 day'",
);

export class PeriodStore {
  constructor(
    private readonly writeDb: Db,
    readonly maxPeriods: number = defaultStoredPeriods,
  ) {}

  /** The snapshot `tx` reads (REPEATABLE READ: the same for every statement of it), to store with results. */
  async snapshotOf(tx: Queryable): Promise<string> {
    const [row] = await tx.query(currentSnapshot, {});
    if (!row) throw new Error('pg_current_snapshot() returned no row');
    return row.snapshot;
  }

  /** The stored periods among `periods` still valid in the snapshot `tx` reads, by start instant. */
  async load(
    tx: Queryable,
    interval: KpiInterval,
    periods: readonly Period[],
  ): Promise<Map<number, PeriodFacts>> {
    const first = periods[0];
    const last = periods.at(-1);
    if (!first || !last) return new Map();
    const rows = await tx.query(validStored, { interval, firstStart: first.start, lastStart: last.start });
    return new Map(rows.map((row) => [Date.parse(row.facts.periodStart), row.facts]));
  }

  /** Keeps periods computed in `snapshot`; a row computed in a newer snapshot is not overwritten. */
  async save(interval: KpiInterval, facts: readonly PeriodFacts[], snapshot: string): Promise<void> {
    if (facts.length === 0) return;
    await this.writeDb.query(storePeriods, { interval, facts: JSON.stringify(facts), snapshot });
  }

  /** Drops invalid and surplus stored periods, then log entries older than a day — in one transaction. */
  async prune(): Promise<void> {
    await this.writeDb.transaction(async (tx) => {
      await tx.query(deleteInvalidStored, {});
      await tx.query(deleteOldestStored, { keep: this.maxPeriods });
      await tx.query(pruneChangeLog, {});
    });
  }
}
