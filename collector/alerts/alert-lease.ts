// The alert evaluator's lease (migration 0010): with two collectors on one database (the production shape
// behind a load balancer) only the holder evaluates alerts, writes alert_history and notifies, so each
// transition pages once. The other collector follows: it reads the alert states from alert_history, and
// takes the lease over once the holder stops renewing it.
//
// Why a row and not pg_advisory_lock: a session advisory lock belongs to one server connection. Behind a
// transaction-mode pooler (Supabase's port 6543, PgBouncer pool_mode=transaction) consecutive statements run
// on different server connections: the lock is taken on one, "held" by whichever client gets that
// connection next, and never released by the collector that took it (nor released when it dies, since the
// pooler keeps the connection open). A row with an expiry works through any pooler, and on PGlite.
//
// Taking and renewing are ONE parameterized statement (INSERT … ON CONFLICT DO UPDATE … WHERE the lease is
// ours or has expired): PostgreSQL locks the row, so of two collectors racing for an expired lease exactly
// one gets a row back. Expiry uses the database's clock (now()), never a collector's. `term` goes up each
// time the lease changes hands: the holder renews it again in the transaction that records its transitions,
// and drops them unnotified if the term moved (it stalled past the expiry and another collector took over).

import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { defineQuery } from '../../core/db/query.ts';
import type { Queryable } from '../../core/db/types.ts';

/** The single lease the collectors compete for. */
export const alertLeaseName = 'alerts';

export interface AlertLease {
  /** This collector's id in the lease row and the logs (host name, pid, random suffix): no personal data. */
  readonly holderId: string;
  readonly durationMs: number;
  /** Takes the lease when free or expired, renews it when ours; the term held, or null when another holds it. */
  claim(db: Queryable): Promise<number | null>;
  /** Gives the lease up (graceful stop) so the other collector takes over at its next evaluation. */
  release(db: Queryable): Promise<void>;
}

const claimLease = defineQuery<{ name: string; holder: string; durationSeconds: number }, { term: number }>(
  'alerts.claimLease',
  `INSERT INTO alert_lease AS lease (name, holder, term, acquired_at, renewed_at, expires_at)
   VALUES (:name, :holder, 1, now(), now(),
           now() + make_interval(secs => CAST(:durationSeconds AS double precision)))
   ON CONFLICT (name) DO UPDATE
      SET holder = EXCLUDED.holder,
          term = CASE WHEN lease.holder = EXCLUDED.holder THEN lease.term ELSE lease.term + 1 END,
          acquired_at = CASE WHEN lease.holder = EXCLUDED.holder THEN lease.acquired_at ELSE now() END,
          renewed_at = now(),
          expires_at = EXCLUDED.expires_at
    WHERE lease.holder = EXCLUDED.holder OR lease.expires_at <= now()
   RETURNING term`,
);

const releaseLease = defineQuery<{ name: string; holder: string }, never>(
  'alerts.releaseLease',
  'DELETE FROM alert_lease WHERE name = :name AND holder = :holder',
);

/** A default holder id: unique per process even when two collectors share a host name. */
export function defaultHolderId(): string {
  return `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;
}

export function createAlertLease(options: { holderId: string; durationMs: number }): AlertLease {
  const params = { name: alertLeaseName, holder: options.holderId };
  return {
    holderId: options.holderId,
    durationMs: options.durationMs,
    async claim(db) {
      const [row] = await db.query(claimLease, { ...params, durationSeconds: options.durationMs / 1000 });
      return row ? row.term : null;
    },
    async release(db) {
      await db.query(releaseLease, params);
    },
  };
}
