-- Migration 0007: what `pulse import-sqlite FILE --follow` keeps between syncs (issue 13).
--
-- legacy_follow: one row per followed file (its absolute path). Each sync commits, in ONE transaction with
--   the rows it imports, the largest id taken from each table and the instant it read the file, so a follower
--   killed mid-sync leaves the previous sync's state and rows, and a restart resumes from them: no row twice,
--   none missed. Only counts, instants and the path are kept (no personal data).
-- legacy_observed_cancels: for a pledge seen cancelled while following, the window the cancel happened in:
--   after `not_before` (the previous read of the file saw it active) and by `not_after` (the modification
--   time of the file that shows it cancelled). pledges.cancelled_at is set to `not_after` with
--   cancelled_at_source = 'observed_follow'; the error is at most not_after − not_before (about one interval).
-- pulse_log_pledge_rows (from 0002) also logs a change of cancelled_at_source alone, at the cancel's instant:
--   the KPI periods count the churn movements that rest on estimated instants, so a cached period holding
--   such a cancel must be recomputed when its provenance changes (say, corrected by hand to 'recorded').

CREATE TABLE legacy_follow (
  source               text PRIMARY KEY,
  started_at           timestamptz NOT NULL DEFAULT now(),
  interval_seconds     integer NOT NULL CHECK (interval_seconds > 0),
  last_read_at         timestamptz NOT NULL,
  last_sync_at         timestamptz NOT NULL,
  file_modified_at     timestamptz NOT NULL,
  last_user_id         bigint NOT NULL DEFAULT 0,
  last_artist_id       bigint NOT NULL DEFAULT 0,
  last_level_id        bigint NOT NULL DEFAULT 0,
  last_pledge_id       bigint NOT NULL DEFAULT 0,
  syncs                bigint NOT NULL DEFAULT 0,
  rows_imported        bigint NOT NULL DEFAULT 0,
  rows_skipped         bigint NOT NULL DEFAULT 0,
  cancels_observed     bigint NOT NULL DEFAULT 0,
  last_error           text NULL,
  last_error_at        timestamptz NULL
);

CREATE TABLE legacy_observed_cancels (
  pledge_id  bigint PRIMARY KEY REFERENCES pledges(id),
  not_before timestamptz NOT NULL,
  not_after  timestamptz NOT NULL,
  CHECK (not_before <= not_after)
);

CREATE OR REPLACE FUNCTION pulse_log_pledge_rows() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO kpi_changes (changed_from)
      SELECT least(min(p.created_at), min(u.created_at) FILTER (WHERE p.created_at < u.created_at + interval '720 hours'))
        FROM new_rows p JOIN users u ON u.id = p.user_id
      HAVING count(*) > 0;
  ELSIF TG_OP = 'DELETE' THEN
    INSERT INTO kpi_changes (changed_from)
      SELECT least(min(p.created_at), min(u.created_at) FILTER (WHERE p.created_at < u.created_at + interval '720 hours'))
        FROM old_rows p LEFT JOIN users u ON u.id = p.user_id
      HAVING count(*) > 0;
  ELSE
    -- Per changed row: what moved decides how far back the change reaches.
    INSERT INTO kpi_changes (changed_from)
      SELECT min(changed.at) FROM (
        SELECT CASE
                 WHEN o.created_at IS DISTINCT FROM n.created_at OR o.amount_cents <> n.amount_cents
                   OR o.user_id <> n.user_id OR o.artist_id <> n.artist_id
                 THEN least(o.created_at, n.created_at, ou.created_at, nu.created_at)
                 WHEN o.cancelled_at IS DISTINCT FROM n.cancelled_at
                 THEN least(o.cancelled_at, n.cancelled_at)
                 -- 0007: a cancel's provenance alone (estimatedChurnMovements counts estimated ones).
                 WHEN o.cancelled_at_source IS DISTINCT FROM n.cancelled_at_source
                 THEN n.cancelled_at
               END AS at
          FROM old_rows o FULL JOIN new_rows n ON n.id = o.id
          LEFT JOIN users ou ON ou.id = o.user_id AND o.created_at < ou.created_at + interval '720 hours'
          LEFT JOIN users nu ON nu.id = n.user_id AND n.created_at < nu.created_at + interval '720 hours'
      ) changed
      HAVING min(changed.at) IS NOT NULL;
  END IF;
  RETURN NULL;
END $$;
