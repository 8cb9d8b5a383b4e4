-- Migration 0006: what the import of the current Pledgr app's SQLite file needs (issue 13).
--
-- users.is_creator: the legacy app's isCreator flag (set when a user created an artist).
-- users.legacy_email: the email exactly as the legacy file held it (NULL for users Pulse registered).
--   Imported emails are stored lower-cased in users.email; when several legacy accounts differ only in case,
--   one (the exact lower-case one, else the lowest id) gets the lower-cased email and the others keep their
--   original spelling. The login finds them all through idx_users_email_lower and tries the password on each
--   (the lower-case one first, then by id): every account signs in with its own password.
-- pledge_levels: the tiers an artist offers (amount in integer cents, as pledges).
-- pledges.level_id: the tier a pledge names, NULL when none (or when the legacy level_id named no level).
-- pledges.cancelled_at_source: how cancelled_at is known. NULL exactly while the pledge is active;
--   'recorded' (the instant was written when the cancel happened: the pledge API, a DESIGN-shaped import),
--   'estimated_import' (the legacy app records no instant: the import estimated it, see the README),
--   'observed_follow' (seen cancelled by `import-sqlite --follow` within one interval).
--   A trigger fills 'recorded' when cancelled_at is set without a source, so writers that know nothing of
--   this column (the pledge API) stay correct, and clears the source when cancelled_at is NULL.

ALTER TABLE users ADD COLUMN is_creator boolean NOT NULL DEFAULT false;
ALTER TABLE users ADD COLUMN legacy_email text NULL;
CREATE INDEX idx_users_email_lower ON users (lower(email));

CREATE TABLE pledge_levels (
  id           bigserial PRIMARY KEY,
  artist_id    bigint NOT NULL REFERENCES artists(id),
  name         text NOT NULL,
  amount_cents integer NOT NULL CHECK (amount_cents > 0),
  description  text NULL,
  benefits     text NULL
);
CREATE INDEX idx_pledge_levels_artist_id ON pledge_levels(artist_id);

ALTER TABLE pledges ADD COLUMN level_id bigint NULL REFERENCES pledge_levels(id);
ALTER TABLE pledges ADD COLUMN cancelled_at_source text NULL
  CHECK (cancelled_at_source IN ('recorded', 'estimated_import', 'observed_follow'));

UPDATE pledges SET cancelled_at_source = 'recorded' WHERE cancelled_at IS NOT NULL;

CREATE FUNCTION pulse_pledge_cancel_source() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.cancelled_at IS NULL THEN
    NEW.cancelled_at_source := NULL;
  ELSIF NEW.cancelled_at_source IS NULL
        OR (TG_OP = 'UPDATE' AND OLD.cancelled_at IS DISTINCT FROM NEW.cancelled_at
            AND OLD.cancelled_at_source IS NOT DISTINCT FROM NEW.cancelled_at_source) THEN
    -- A cancel instant written without saying where it came from was recorded when it happened.
    NEW.cancelled_at_source := 'recorded';
  END IF;
  RETURN NEW;
END $$;
-- WHEN clauses (evaluated without calling the function) keep a bulk COPY that sets both columns fast.
CREATE TRIGGER pledges_cancel_source_insert BEFORE INSERT ON pledges
  FOR EACH ROW WHEN ((NEW.cancelled_at IS NULL) <> (NEW.cancelled_at_source IS NULL))
  EXECUTE FUNCTION pulse_pledge_cancel_source();
CREATE TRIGGER pledges_cancel_source_update BEFORE UPDATE ON pledges
  FOR EACH ROW WHEN ((NEW.cancelled_at IS NULL) <> (NEW.cancelled_at_source IS NULL)
                     OR (OLD.cancelled_at IS DISTINCT FROM NEW.cancelled_at
                         AND OLD.cancelled_at_source IS NOT DISTINCT FROM NEW.cancelled_at_source))
  EXECUTE FUNCTION pulse_pledge_cancel_source();

ALTER TABLE pledges ADD CONSTRAINT pledges_cancel_source_matches
  CHECK ((cancelled_at IS NULL) = (cancelled_at_source IS NULL));
