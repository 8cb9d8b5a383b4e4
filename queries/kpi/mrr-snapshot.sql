-- KPI: MRR and pledgers at one instant t.
--   A pledge is active at t when created_at < t and (cancelled_at IS NULL or cancelled_at >= t).
--   A user's MRR at t is the sum of amount_cents of their pledges active at t; a pledger at t is a user
--   whose MRR at t is > 0; platform MRR at t is the sum over users (integer cents, platform currency).
--   Used for the opening values of the first period a refresh recomputes.
-- Parameters: :at.
SELECT coalesce(sum(user_mrr), 0)::bigint AS "mrrCents",
       count(*) FILTER (WHERE user_mrr > 0) AS pledgers
  FROM (SELECT p.user_id, sum(p.amount_cents) AS user_mrr
          FROM pledges p
         WHERE p.created_at < :at AND (p.cancelled_at IS NULL OR p.cancelled_at >= :at)
         GROUP BY p.user_id) active
