// The straightforward way to compute the monthly KPI set, as a peer would write it: one query per month that
// recomputes every user's MRR at the month's start and end from all pledges. It is the benchmark's baseline
// and is checked against the engine's numbers, so the comparison is between two correct answers.
import { defineQuery } from '../core/db/query.ts';
import type { Db } from '../core/db/types.ts';
import type { Period } from '../core/kpi/periods.ts';

export interface BaselineMonth {
  mrrStartCents: number;
  mrrEndCents: number;
  pledgersAtEnd: number;
  newMrrCents: number;
  reactivationMrrCents: number;
  expansionMrrCents: number;
  contractionMrrCents: number;
  churnedMrrCents: number;
  churnedPledgers: number;
  registrations: number;
  usersAtEnd: number;
  conversionConverted: number;
}

const perMonth = defineQuery<{ s: Date; e: Date }, BaselineMonth>(
  'bench.baselineMonth',
  `WITH per_user AS (
     SELECT user_id,
            coalesce(sum(amount_cents) FILTER (WHERE created_at < :s AND (cancelled_at IS NULL OR cancelled_at >= :s)), 0) AS s,
            coalesce(sum(amount_cents) FILTER (WHERE created_at < :e AND (cancelled_at IS NULL OR cancelled_at >= :e)), 0) AS e,
            bool_or(created_at < :s) AS pledged_before
       FROM pledges GROUP BY user_id)
   SELECT sum(s)::bigint AS "mrrStartCents", sum(e)::bigint AS "mrrEndCents",
          count(*) FILTER (WHERE e > 0) AS "pledgersAtEnd",
          coalesce(sum(e) FILTER (WHERE s = 0 AND e > 0 AND NOT pledged_before), 0)::bigint AS "newMrrCents",
          coalesce(sum(e) FILTER (WHERE s = 0 AND e > 0 AND pledged_before), 0)::bigint AS "reactivationMrrCents",
          coalesce(sum(e - s) FILTER (WHERE s > 0 AND e > s), 0)::bigint AS "expansionMrrCents",
          coalesce(sum(s - e) FILTER (WHERE e > 0 AND e < s), 0)::bigint AS "contractionMrrCents",
          coalesce(sum(s) FILTER (WHERE s > 0 AND e = 0), 0)::bigint AS "churnedMrrCents",
          count(*) FILTER (WHERE s > 0 AND e = 0) AS "churnedPledgers",
          (SELECT count(*) FROM users WHERE created_at >= :s AND created_at < :e) AS registrations,
          (SELECT count(*) FROM users WHERE created_at < :e) AS "usersAtEnd",
          (SELECT count(*) FROM users u WHERE u.created_at >= :s AND u.created_at < :e
              AND EXISTS (SELECT 1 FROM pledges p WHERE p.user_id = u.id
                             AND p.created_at < u.created_at + interval '720 hours')) AS "conversionConverted"
     FROM per_user`,
);

export async function baselineMonthly(db: Db, months: readonly Period[]): Promise<BaselineMonth[]> {
  const results: BaselineMonth[] = [];
  for (const month of months) {
    const [row] = await db.query(perMonth, { s: month.start, e: month.end });
    if (row) results.push(row);
  }
  return results;
}
