-- Migration 0004: the collector's alert history — one row per state transition of an alert (pending,
-- firing, resolved, back to inactive). The collector keeps alert states in memory and, on start, restores
-- each alert's latest row, so a restart neither forgets a firing alert nor notifies it a second time.
-- labels hold the rule's own labels only (alertname, severity, audience): never personal data.
-- active_since is when the condition became true (Alertmanager's startsAt), kept to restore it exactly.

CREATE TABLE alert_history (
  id           bigserial PRIMARY KEY,
  alert_name   text NOT NULL,
  state        text NOT NULL CHECK (state IN ('inactive', 'pending', 'firing', 'resolved')),
  severity     text NOT NULL CHECK (severity IN ('info', 'warning', 'critical')),
  -- who may read it: an operator is shown 'operator' and 'both' alerts, a founder all (business figures).
  audience     text NOT NULL CHECK (audience IN ('operator', 'founder', 'both')),
  value        double precision NULL,
  threshold    double precision NOT NULL,
  at           timestamptz NOT NULL,
  active_since timestamptz NULL,
  labels       jsonb NOT NULL DEFAULT '{}'::jsonb
);
-- GET /api/alerts reads the newest rows first; restoring reads each alert's newest row.
CREATE INDEX idx_alert_history_at ON alert_history(at DESC, id DESC);
CREATE INDEX idx_alert_history_alert_name_at ON alert_history(alert_name, at DESC, id DESC);
