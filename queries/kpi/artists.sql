-- KPI: the per-artist view of a range [rangeStart, rangeEnd) — the two-sided picture a platform needs.
--   For every (fan, artist) pair, s = the fan's pledges to that artist active at rangeStart, e = at rangeEnd
--   (active at t: created_at < t and (cancelled_at IS NULL or cancelled_at >= t)).
--   Per artist: pledgersAtStart / pledgersAtEnd = fans with s > 0 / e > 0; mrrStartCents / mrrEndCents =
--   sums of s / e; new = fans with s = 0, e > 0 who had never pledged to the artist before rangeStart
--   (returning fans count as reactivation); churned = fans with s > 0, e = 0 (their s is churned MRR);
--   expansion / contraction as for the platform. logoChurnRate = churnedPledgers / pledgersAtStart (null
--   when 0), computed by the caller. Artists with no fan at either end and no churn are left out.
--   Sorted by MRR at the end, largest first; artistCount is the number of artists before the limit.
-- Parameters: :rangeStart, :rangeEnd, :limit.
WITH pairs AS (
  SELECT p.artist_id, p.user_id,
         coalesce(sum(p.amount_cents) FILTER (
           WHERE p.created_at < :rangeStart AND (p.cancelled_at IS NULL OR p.cancelled_at >= :rangeStart)), 0) AS s,
         coalesce(sum(p.amount_cents) FILTER (WHERE p.cancelled_at IS NULL OR p.cancelled_at >= :rangeEnd), 0) AS e,
         bool_or(p.created_at < :rangeStart) AS pledged_before
    FROM pledges p
   WHERE p.created_at < :rangeEnd
   GROUP BY p.artist_id, p.user_id
),
per_artist AS (
  SELECT artist_id,
         count(*) FILTER (WHERE s > 0) AS "pledgersAtStart",
         count(*) FILTER (WHERE e > 0) AS "pledgersAtEnd",
         sum(s)::bigint AS "mrrStartCents",
         sum(e)::bigint AS "mrrEndCents",
         count(*) FILTER (WHERE s = 0 AND e > 0 AND NOT pledged_before) AS "newPledgers",
         coalesce(sum(e) FILTER (WHERE s = 0 AND e > 0 AND NOT pledged_before), 0)::bigint AS "newMrrCents",
         coalesce(sum(e) FILTER (WHERE s = 0 AND e > 0 AND pledged_before), 0)::bigint AS "reactivationMrrCents",
         coalesce(sum(e - s) FILTER (WHERE s > 0 AND e > s), 0)::bigint AS "expansionMrrCents",
         coalesce(sum(s - e) FILTER (WHERE e > 0 AND e < s), 0)::bigint AS "contractionMrrCents",
         count(*) FILTER (WHERE s > 0 AND e = 0) AS "churnedPledgers",
         coalesce(sum(s) FILTER (WHERE s > 0 AND e = 0), 0)::bigint AS "churnedMrrCents"
    FROM pairs
   GROUP BY artist_id
  HAVING count(*) FILTER (WHERE s > 0 OR e > 0) > 0
)
SELECT a.id AS "artistId", a.name, pa."pledgersAtStart", pa."pledgersAtEnd", pa."mrrStartCents", pa."mrrEndCents",
       pa."newPledgers", pa."newMrrCents", pa."reactivationMrrCents", pa."expansionMrrCents",
       pa."contractionMrrCents", pa."churnedPledgers", pa."churnedMrrCents",
       count(*) OVER () AS "artistCount"
  FROM per_artist pa JOIN artists a ON a.id = pa.artist_id
 ORDER BY pa."mrrEndCents" DESC, a.id
 LIMIT :limit
