// The alert history in the database (migration 0004): one row per transition, each alert's latest row to
// restore its state on start, the newest rows for GET /api/alerts, pruning past the retention (never an
// alert's latest row: it is the alert's current state); and the user count the milestone rules read.
import type { AlertAudience, AlertSeverity } from '../../core/alerts/rules.ts';
import { defineQuery } from '../../core/db/query.ts';
import type { Queryable } from '../../core/db/types.ts';
import type { AlertStateName } from './state-machine.ts';

export interface AlertTransitionRecord {
  readonly alertName: string;
  readonly state: AlertStateName;
  readonly severity: AlertSeverity;
  readonly audience: AlertAudience;
  readonly value: number | null;
  readonly threshold: number;
  readonly at: Date;
  readonly activeSince: Date | null;
  /** The rule's labels (alertname, severity, audience): no personal data. */
  readonly labels: Readonly<Record<string, string>>;
}

export interface AlertHistoryRow extends AlertTransitionRecord {
  readonly id: number;
}

const insertTransition = defineQuery<
  {
    alertName: string;
    state: string;
    severity: string;
    audience: string;
    value: number | null;
    threshold: number;
    at: Date;
    activeSince: Date | null;
    labels: string;
  },
  never
>(
  'alerts.insertTransition',
  `INSERT INTO alert_history (alert_name, state, severity, audience, value, threshold, at, active_since, labels)
   VALUES (:alertName, :state, :severity, :audience, :value, :threshold, :at, :activeSince, CAST(:labels AS jsonb))`,
);

const selectColumns = `id, alert_name AS "alertName", state, severity, audience, value, threshold, at,
  active_since AS "activeSince", labels`;

const latestPerAlert = defineQuery<Record<string, never>, AlertHistoryRow>(
  'alerts.latestPerAlert',
  `SELECT DISTINCT ON (alert_name) ${selectColumns}
   FROM alert_history ORDER BY alert_name, at DESC, id DESC`,
);

const newestHistory = defineQuery<{ limit: number; audiences: readonly string[] }, AlertHistoryRow>(
  'alerts.newestHistory',
  `SELECT ${selectColumns} FROM alert_history
   WHERE audience = ANY(CAST(:audiences AS text[]))
   ORDER BY at DESC, id DESC LIMIT :limit`,
);

/**
 * Rows older than :before, except each alert's newest row (restoring and following read it: an alert firing
 * for longer than the retention keeps its state). One statement: concurrent pruners (two collectors) only
 * find fewer rows to delete.
 */
const pruneHistoryQuery = defineQuery<{ before: Date }, { deleted: number }>(
  'alerts.pruneHistory',
  `WITH deleted AS (
     DELETE FROM alert_history AS old
     WHERE old.at < :before
       AND old.id <> (SELECT newest.id FROM alert_history AS newest
                      WHERE newest.alert_name = old.alert_name
                      ORDER BY newest.at DESC, newest.id DESC LIMIT 1)
     RETURNING 1)
   SELECT CAST(count(*) AS integer) AS deleted FROM deleted`,
);

const countUsersQuery = defineQuery<Record<string, never>, { users: number }>(
  'alerts.countUsers',
  'SELECT count(*) AS users FROM users',
);

export interface AlertStore {
  recordTransition(record: AlertTransitionRecord): Promise<void>;
  /** Each alert's newest row: what the alert was doing when the collector last stopped. */
  latestPerAlert(): Promise<AlertHistoryRow[]>;
  /** Newest first, only alerts for the given audiences. */
  history(limit: number, audiences: readonly AlertAudience[]): Promise<AlertHistoryRow[]>;
  /** Deletes the rows older than `before` but each alert's newest; returns how many went. */
  pruneHistory(before: Date): Promise<number>;
  countUsers(): Promise<number>;
}

export function createAlertStore(db: Queryable): AlertStore {
  return {
    async recordTransition(record) {
      await db.query(insertTransition, { ...record, labels: JSON.stringify(record.labels) });
    },
    latestPerAlert: () => db.query(latestPerAlert, {}),
    history: (limit, audiences) => db.query(newestHistory, { limit, audiences }),
    async pruneHistory(before) {
      const [row] = await db.query(pruneHistoryQuery, { before });
      return row?.deleted ?? 0;
    },
    async countUsers() {
      const [row] = await db.query(countUsersQuery, {});
      return row?.users ?? 0;
    },
  };
}
