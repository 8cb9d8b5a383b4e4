-- KPI input: usersAtEnd's starting point — users registered strictly before an instant.
--   usersAtEnd of a period = users with created_at < periodEnd.
-- Parameters: :at.
SELECT count(*) AS users FROM users WHERE created_at < :at
