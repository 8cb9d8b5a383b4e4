-- KPI input: ONE period's registrations and 30-day conversion, per user — what the open period keeps in
-- memory (core/kpi/open-cohort.ts) so that a pledge write re-reads the conversion of the users it touched,
-- not the whole cohort. Same definitions as registrations.sql and conversion.sql: the cohort is the users
-- with :periodStart <= created_at < :periodEnd; a member converted when a pledge of theirs (active or not)
-- was created before users.created_at + 720 hours. Counted over users, the rows give those files' figures
-- for the period (checked against them by the tests).
-- Users: the cohort's members named in :userIds; every member when :userIds is NULL.
-- Parameters: :periodStart, :periodEnd, :userIds (bigint[] or NULL).
SELECT u.id AS "userId",
       EXISTS (
         SELECT 1 FROM pledges p
          WHERE p.user_id = u.id AND p.created_at < u.created_at + interval '720 hours') AS converted
  FROM users u
 WHERE u.created_at >= :periodStart AND u.created_at < :periodEnd
   AND (:userIds::bigint[] IS NULL OR u.id = ANY (:userIds::bigint[]))
