-- Migration 0008: computed KPI periods kept in the database, so that a restarted collector — or a second
-- collector on the same database — answers from what another computation already did.
--
-- A stored period is valid for a reader while no write it could not see bears on it: each row keeps the
-- snapshot it was computed in, and a kpi_changes entry (migration 0002) whose transaction that snapshot did
-- not see (pg_visible_in_snapshot false) and whose instant lies before the period's end invalidates it. A
-- write still in flight is invisible to both the stored snapshot and the reader, so the row stays valid for
-- that reader, and stops being valid for every reader that sees the write. Nothing is deleted by writers:
-- validity is decided when read (core/kpi/period-store.ts), and invalid rows are cleared when the change
-- log is pruned, before the entries that invalidate them are deleted.
CREATE TABLE kpi_period_store (
  period_interval text        NOT NULL CHECK (period_interval IN ('day', 'week', 'month')),
  period_start    timestamptz NOT NULL,
  period_end      timestamptz NOT NULL,
  -- The period without its as-of dependent field (core/kpi/assemble.ts PeriodFacts), as JSON.
  facts           jsonb       NOT NULL,
  computed_in     pg_snapshot NOT NULL,
  computed_xmin   xid8        NOT NULL,
  stored_at       timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (period_interval, period_start)
);
CREATE INDEX idx_kpi_period_store_stored_at ON kpi_period_store(stored_at);
