-- Migration 0003: what the pledge API (agent) keeps beside the pledge tables.
-- sessions: opaque bearer tokens, stored only as their SHA-256 hash, with an expiry and a revocation time.
-- idempotency_keys: the first result of a POST /api/pledges retried under the same Idempotency-Key, per
-- user, with a hash of the request so a key reused for a different request is refused.

CREATE TABLE sessions (
  token_hash text PRIMARY KEY,
  user_id    bigint NOT NULL REFERENCES users(id),
  created_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL,
  revoked_at timestamptz NULL
);
CREATE INDEX idx_sessions_user_id ON sessions(user_id);

CREATE TABLE idempotency_keys (
  user_id      bigint NOT NULL REFERENCES users(id),
  key          text NOT NULL,
  request_hash text NOT NULL,
  pledge_id    bigint NOT NULL REFERENCES pledges(id),
  created_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (user_id, key)
);
