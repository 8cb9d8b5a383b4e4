-- Migration 0011: indexes that hand mrr-movements.sql each user's pledge events in time order, so the KPI
-- engine's from-scratch read merges two index scans instead of hashing and sorting every event.
--   idx_pledges_user_id_created_at_amount replaces 0002's idx_pledges_user_id_created_at: the same key
--   (the per-user look-ups of user-movements.sql and conversion.sql use it as before) plus
--   INCLUDE (amount_cents), so creations are read from the index alone once the table is vacuumed.
--   idx_pledges_user_id_cancelled_at: the cancellations, partial (an active pledge has no cancel event).
-- Building them reads the pledges table and blocks writes to it meanwhile (a plain CREATE INDEX inside the
-- migration's transaction): on a large table, create both beforehand with CREATE INDEX CONCURRENTLY under
-- these names; this migration then only drops the replaced index.
CREATE INDEX IF NOT EXISTS idx_pledges_user_id_created_at_amount ON pledges(user_id, created_at)
  INCLUDE (amount_cents);
CREATE INDEX IF NOT EXISTS idx_pledges_user_id_cancelled_at ON pledges(user_id, cancelled_at)
  INCLUDE (amount_cents, cancelled_at_source) WHERE cancelled_at IS NOT NULL;
DROP INDEX IF EXISTS idx_pledges_user_id_created_at;
