-- KPI: 30-day conversion.
--   Cohort (denominator): users registered in the period (periodStart <= created_at < periodEnd).
--   Converted (numerator): those with at least one pledge — active or not, even one cancelled the instant
--   it was made — created before users.created_at + 30 days (strictly: a first pledge exactly 30 days
--   after registering does not convert).
--   conversionRate = converted / cohort (null for an empty cohort); the figure is mature once
--   periodEnd + 30 days <= asOf, because until then a cohort member may still convert.
--   30 days are 720 hours: a calendar '30 days' would stretch or shrink across a daylight-saving change in a
--   non-UTC session.
-- Parameters: :bounds (every period start, ascending), :rangeStart (= :bounds[1]), :rangeEnd; the period of
--   an instant is found in :bounds (width_bucket), as in mrr-movements.sql.
SELECT (:bounds::timestamptz[])[width_bucket(u.created_at, :bounds::timestamptz[])] AS "periodStart",
       count(*) AS cohort,
       count(*) FILTER (WHERE EXISTS (
         SELECT 1 FROM pledges p
          WHERE p.user_id = u.id AND p.created_at < u.created_at + interval '720 hours')) AS converted
  FROM users u
 WHERE u.created_at >= :rangeStart AND u.created_at < :rangeEnd
 GROUP BY 1
