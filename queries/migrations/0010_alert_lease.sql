-- Migration 0010: the alert evaluator's lease (issue 16, point 5). Two collectors on one database must page
-- once per incident: only the holder of this lease evaluates alerts, writes alert_history and notifies.
-- One row per lease name ('alerts'); holder is a collector's instance id (host name, process id and a random
-- suffix, or COLLECTOR_INSTANCE_ID): no personal data. term grows by one each time the lease changes hands,
-- so a holder can tell it lost the lease in between. Times come from the database's clock, never a
-- collector's, so clock skew between collectors cannot make two of them believe they hold it.
-- A row rather than an advisory lock: a session advisory lock dies with (or leaks to) a pooled connection
-- behind a transaction-mode pooler such as Supabase's port 6543 (see collector/alerts/alert-lease.ts).

CREATE TABLE alert_lease (
  name        text PRIMARY KEY,
  holder      text NOT NULL,
  term        bigint NOT NULL DEFAULT 1 CHECK (term > 0),
  acquired_at timestamptz NOT NULL,
  renewed_at  timestamptz NOT NULL,
  expires_at  timestamptz NOT NULL CHECK (expires_at > renewed_at)
);
