-- KPI: MRR movements and churned pledgers per period.
--   Per user, with s = the user's MRR at periodStart and e = at periodEnd (see mrr-snapshot.sql):
--     s = 0, e > 0: new (e) when the user has no pledge created before periodStart, else reactivation (e);
--     s > 0, e = 0: churned (s) — and the user counts in churnedPledgers;
--     0 < s < e: expansion (e − s);   0 < e < s: contraction (s − e).
--   Identity: mrrEnd = mrrStart + new + reactivation + expansion − contraction − churned.
--   Rates built on these (see core/kpi/catalog.ts): logoChurnRate = churnedPledgers / pledgersAtStart,
--   grossMrrChurnRate = (churned + contraction) / mrrStart,
--   netMrrRetention = (mrrStart − churned − contraction + expansion) / mrrStart.
--   estimatedChurnMovements (a data-quality count, not a DESIGN.md field): the users counted above as churned
--   (s > 0, e = 0) or as contraction (0 < e < s) in the period who have at least one pledge cancelled in
--   that same period with cancelled_at_source = 'estimated_import' — the cancel instant was estimated by the
--   legacy SQLite import, so the movement may belong to another period. 'recorded' and 'observed_follow'
--   cancels (the latter seen within one follow interval) are not estimates and do not count; nor does a
--   user whose estimated cancel is outweighed in the period (expansion, reactivation, no movement).
-- How: a user's MRR only moves when one of their pledges is created (+amount) or cancelled (−amount), and
--   MRR at an instant t is the sum of those events strictly before t. So only events inside the range are
--   read (one pass, indexed by time), summed per user and period, and turned into s and e with a running
--   sum that starts from the user's MRR at rangeStart. Users with no event in a period do not move.
--   The opening MRR is summed for every user with a pledge before rangeStart (one pass, hashed), not only for
--   the users moving in the range: restricted to those, the planner probed the (user_id, created_at) index
--   once per user — 60 s for one month over 10M pledges; unrestricted it is 1.3–1.5× faster at 1M too.
--   An event at time x falls in the period containing x: a pledge created at a boundary b is not active
--   at b, and one cancelled at b still is — exactly the definition of "active at t".
--   The period of an instant is found by binary search in :bounds (width_bucket), not by date_trunc with a
--   time zone: on 1.45M events the time-zone arithmetic alone cost about 0.6 s (measured, PostgreSQL 15).
--   The running sums are float8, exact for integers below 2^53 (90 trillion dollars in cents): a sum over
--   bigint is numeric in PostgreSQL, whose arithmetic made the whole query 1.3x slower (measured side by
--   side on 1M dense pledges, PostgreSQL 15). The outputs are cast back to bigint.
--   Every figure is a sum or a count over users, so the query can run in slices of the users (user_id
--   modulo :slices = :slice), each on a connection of its own sharing one snapshot, and the slices' rows
--   added up: the KPI engine does so on PostgreSQL (core/kpi/sliced-movements.ts); one slice is all users.
-- Parameters: :bounds (the start of every period in the range, ascending), :rangeStart (= :bounds[1]),
--   :rangeEnd (the end of the last period), :slices and :slice (1 and 0 for all users).
WITH events AS (
  SELECT p.user_id, width_bucket(p.created_at, :bounds::timestamptz[]) AS bucket, p.amount_cents AS delta, 1 AS created,
         0 AS estimated
    FROM pledges p
   WHERE p.created_at >= :rangeStart AND p.created_at < :rangeEnd AND p.user_id % :slices = :slice
  UNION ALL
  SELECT p.user_id, width_bucket(p.cancelled_at, :bounds::timestamptz[]), -p.amount_cents, 0,
         CASE WHEN p.cancelled_at_source = 'estimated_import' THEN 1 ELSE 0 END
    FROM pledges p
   WHERE p.cancelled_at >= :rangeStart AND p.cancelled_at < :rangeEnd AND p.user_id % :slices = :slice
),
user_periods AS (
  SELECT user_id, bucket, sum(delta)::float8 AS delta, sum(created)::int AS created,
         sum(estimated)::bigint AS estimated
    FROM events GROUP BY user_id, bucket
),
opening AS (
  SELECT p.user_id,
         coalesce(sum(p.amount_cents) FILTER (WHERE p.cancelled_at IS NULL OR p.cancelled_at >= :rangeStart), 0)
           AS mrr
    FROM pledges p
   WHERE p.created_at < :rangeStart AND p.user_id % :slices = :slice
   GROUP BY p.user_id
),
balances AS (
  SELECT up.bucket, up.estimated,
         coalesce(o.mrr, 0)::float8 + sum(up.delta) OVER running - up.delta AS s,
         coalesce(o.mrr, 0)::float8 + sum(up.delta) OVER running AS e,
         o.user_id IS NOT NULL OR sum(up.created) OVER running - up.created > 0 AS pledged_before
    FROM user_periods up LEFT JOIN opening o ON o.user_id = up.user_id
  WINDOW running AS (PARTITION BY up.user_id ORDER BY up.bucket)
)
SELECT (:bounds::timestamptz[])[bucket] AS "periodStart",
       coalesce(sum(e) FILTER (WHERE s = 0 AND e > 0 AND NOT pledged_before), 0)::bigint AS "newMrrCents",
       count(*) FILTER (WHERE s = 0 AND e > 0 AND NOT pledged_before) AS "newPledgers",
       coalesce(sum(e) FILTER (WHERE s = 0 AND e > 0 AND pledged_before), 0)::bigint AS "reactivationMrrCents",
       count(*) FILTER (WHERE s = 0 AND e > 0 AND pledged_before) AS "reactivatedPledgers",
       coalesce(sum(e - s) FILTER (WHERE s > 0 AND e > s), 0)::bigint AS "expansionMrrCents",
       coalesce(sum(s - e) FILTER (WHERE e > 0 AND e < s), 0)::bigint AS "contractionMrrCents",
       coalesce(sum(s) FILTER (WHERE s > 0 AND e = 0), 0)::bigint AS "churnedMrrCents",
       count(*) FILTER (WHERE s > 0 AND e = 0) AS "churnedPledgers",
       count(*) FILTER (WHERE estimated > 0 AND ((s > 0 AND e = 0) OR (e > 0 AND e < s)))
         AS "estimatedChurnMovements"
  FROM balances
 GROUP BY bucket
