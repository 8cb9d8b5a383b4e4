-- KPI: registrations — how many people created an account in each period.
--   Counts users with periodStart <= users.created_at < periodEnd (UTC, half-open periods).
--   usersAtEnd (users with created_at < periodEnd) is the count before the range plus the running total
--   of these; see users-before.sql.
-- Parameters: :unit ('day' | 'week' | 'month'), :rangeStart, :rangeEnd (aligned period boundaries).
-- One row per period that has registrations; periods without any are absent (0).
SELECT date_trunc(:unit, u.created_at, 'UTC') AS "periodStart",
       count(*) AS registrations
  FROM users u
 WHERE u.created_at >= :rangeStart AND u.created_at < :rangeEnd
 GROUP BY 1
