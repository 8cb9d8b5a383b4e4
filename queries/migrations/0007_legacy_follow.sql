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
