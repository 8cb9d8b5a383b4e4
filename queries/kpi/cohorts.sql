-- KPI: registration cohorts — of the users who registered in a month, how many still pledge and how much
--   MRR they bring, at the end of each complete month since.
--   Cohort: users with created_at in that calendar month (UTC). For each month end t after the cohort month
--   (up to the last complete month before asOf): pledgers = cohort users whose MRR at t is > 0; mrrCents =
--   their MRR at t (active at t: created_at < t and (cancelled_at IS NULL or cancelled_at >= t)).
--   The caller derives pledgingShare = pledgers / users and mrrRetained = mrrCents / (mrrCents at the end
--   of the cohort month), null when that is 0. A cohort with no complete month yet has one row, monthEnd NULL.
-- Parameters: :rangeStart, :rangeEnd (month boundaries), :monthEnds (ISO instants of the month ends).
WITH cohort_users AS (
  SELECT u.id, date_trunc('month', u.created_at, 'UTC') AS cohort
    FROM users u
   WHERE u.created_at >= :rangeStart AND u.created_at < :rangeEnd
),
user_mrr AS (
  SELECT cu.cohort, m.at, cu.id, coalesce(sum(p.amount_cents), 0) AS mrr
    FROM cohort_users cu
    LEFT JOIN unnest(:monthEnds::timestamptz[]) AS m(at) ON m.at > cu.cohort
    LEFT JOIN pledges p ON p.user_id = cu.id AND p.created_at < m.at
                       AND (p.cancelled_at IS NULL OR p.cancelled_at >= m.at)
   GROUP BY cu.cohort, m.at, cu.id
)
SELECT cohort, at AS "monthEnd", count(*) AS users, count(*) FILTER (WHERE mrr > 0) AS pledgers,
       sum(mrr)::bigint AS "mrrCents"
  FROM user_mrr
 GROUP BY cohort, at
 ORDER BY cohort, at
