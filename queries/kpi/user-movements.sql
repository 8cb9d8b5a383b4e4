-- KPI input: each user's MRR movement in ONE period, per user — what the open period keeps in memory so
-- that a write recomputes the users it touched (core/kpi/open-period.ts), not every active user's history.
--   Per user: s = MRR at :periodStart, e = MRR at :periodEnd (a pledge is active at t when created_at < t
--   and (cancelled_at IS NULL or cancelled_at >= t)); pledgedBefore = a pledge created before :periodStart;
--   estimated = cancels inside the period whose instant the legacy import estimated. The classification
--   into new / reactivation / expansion / contraction / churned is mrr-movements.sql's, applied per user in
--   core/kpi/open-period.ts; summed over users it gives the same period (checked against it by the tests).
-- Users: those named in :userIds; when :userIds is NULL, every user with a pledge created or cancelled in
--   the period (a user without one has s = e and no movement). A named user with no pledge returns no row.
-- Parameters: :periodStart, :periodEnd, :userIds (bigint[] or NULL).
WITH touched AS (
  SELECT unnest(:userIds::bigint[]) AS user_id
  UNION
  SELECT user_id FROM pledges
   WHERE :userIds::bigint[] IS NULL AND created_at >= :periodStart AND created_at < :periodEnd
  UNION
  SELECT user_id FROM pledges
   WHERE :userIds::bigint[] IS NULL AND cancelled_at >= :periodStart AND cancelled_at < :periodEnd
)
SELECT p.user_id AS "userId",
       coalesce(sum(p.amount_cents) FILTER (
         WHERE p.created_at < :periodStart AND (p.cancelled_at IS NULL OR p.cancelled_at >= :periodStart)), 0)::bigint AS s,
       coalesce(sum(p.amount_cents) FILTER (
         WHERE p.cancelled_at IS NULL OR p.cancelled_at >= :periodEnd), 0)::bigint AS e,
       bool_or(p.created_at < :periodStart) AS "pledgedBefore",
       count(*) FILTER (
         WHERE p.cancelled_at >= :periodStart AND p.cancelled_at < :periodEnd
           AND p.cancelled_at_source = 'estimated_import') AS estimated
  FROM pledges p JOIN touched t ON t.user_id = p.user_id
 WHERE p.created_at < :periodEnd
 GROUP BY p.user_id
