-- KPI: registrations — how many people created an account in each period.
--   Counts users with periodStart <= users.created_at < periodEnd (UTC, half-open periods).
--   usersAtEnd (users with created_at < periodEnd) is the count before the range plus the running total
--   of these; see users-before.sql.
-- Parameters: :bounds (every period start, ascending), :rangeStart (= :bounds[1]), :rangeEnd (the end of the
--   last period); the period of an instant is found in :bounds (width_bucket), as in mrr-movements.sql.
-- One row per period that has registrations; periods without any are absent (0).
SELECT (:bounds::timestamptz[])[width_bucket(u.created_at, :bounds::timestamptz[])] AS "periodStart",
       count(*) AS registrations
  FROM users u
 WHERE u.created_at >= :rangeStart AND u.created_at < :rangeEnd
 GROUP BY 1
