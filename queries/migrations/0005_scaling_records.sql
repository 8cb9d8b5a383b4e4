-- Migration 0005: the manual items of the scaling checklist (backups, CDN, DR plan, …), as people record them.
-- One row per record, never updated: the latest row of an item (highest id) is its state, the older ones its
-- history. recorded_by is the operator's own name or initials, typed for the record; it is shown to
-- operators in the API and never used as a metric label or logged.
-- No index beyond the primary key: the table holds a handful of rows per checklist item (about twenty
-- items), so reading the latest row of each is a scan of a few pages.

CREATE TABLE scaling_records (
  id          bigserial PRIMARY KEY,
  item_id     text NOT NULL CHECK (item_id ~ '^[a-z0-9]+(-[a-z0-9]+)*$' AND char_length(item_id) <= 64),
  done        boolean NOT NULL,
  recorded_by text NOT NULL CHECK (char_length(recorded_by) BETWEEN 1 AND 100),
  note        text NULL CHECK (note IS NULL OR char_length(note) <= 1000),
  recorded_at timestamptz NOT NULL DEFAULT now()
);
