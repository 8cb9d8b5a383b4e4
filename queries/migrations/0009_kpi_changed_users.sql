-- Migration 0009: the change log names the users whose pledges a write touched, so that a write in the open
-- period recomputes those users' movements alone (core/kpi/open-period.ts) instead of every active user's
-- history — 85,600 users and 680,000 pledge rows for the open month of the dense benchmark set.
--
-- kpi_changes.user_ids: the distinct user ids of the pledge rows written (old and new rows of an update);
-- NULL when a statement touched more than 1,000 users (the engine then recomputes the period whole); an
-- empty array for writes to users, which move no pledge (registrations and conversion are recomputed for
-- the period anyway). The instants logged are those of 0002 and 0007, unchanged.

ALTER TABLE kpi_changes ADD COLUMN user_ids bigint[];

CREATE OR REPLACE FUNCTION pulse_log_pledge_rows() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO kpi_changes (changed_from, user_ids)
      SELECT least(min(p.created_at), min(u.created_at) FILTER (WHERE p.created_at < u.created_at + interval '720 hours')),
             CASE WHEN count(DISTINCT p.user_id) <= 1000 THEN array_agg(DISTINCT p.user_id) END
        FROM new_rows p JOIN users u ON u.id = p.user_id
      HAVING count(*) > 0;
  ELSIF TG_OP = 'DELETE' THEN
    INSERT INTO kpi_changes (changed_from, user_ids)
      SELECT least(min(p.created_at), min(u.created_at) FILTER (WHERE p.created_at < u.created_at + interval '720 hours')),
             CASE WHEN count(DISTINCT p.user_id) <= 1000 THEN array_agg(DISTINCT p.user_id) END
        FROM old_rows p LEFT JOIN users u ON u.id = p.user_id
      HAVING count(*) > 0;
  ELSE
    -- Per changed row: what moved decides how far back the change reaches.
    INSERT INTO kpi_changes (changed_from, user_ids)
      SELECT min(changed.at),
             CASE WHEN count(DISTINCT changed.user_id) <= 1000
                  THEN array_agg(DISTINCT changed.user_id) FILTER (WHERE changed.user_id IS NOT NULL) END
        FROM (
        SELECT CASE
                 WHEN o.created_at IS DISTINCT FROM n.created_at OR o.amount_cents <> n.amount_cents
                   OR o.user_id <> n.user_id OR o.artist_id <> n.artist_id
                 THEN least(o.created_at, n.created_at, ou.created_at, nu.created_at)
                 WHEN o.cancelled_at IS DISTINCT FROM n.cancelled_at
                 THEN least(o.cancelled_at, n.cancelled_at)
                 WHEN o.cancelled_at_source IS DISTINCT FROM n.cancelled_at_source
                 THEN n.cancelled_at
               END AS at,
               ids.user_id
          FROM old_rows o FULL JOIN new_rows n ON n.id = o.id
          LEFT JOIN users ou ON ou.id = o.user_id AND o.created_at < ou.created_at + interval '720 hours'
          LEFT JOIN users nu ON nu.id = n.user_id AND n.created_at < nu.created_at + interval '720 hours'
          CROSS JOIN LATERAL (VALUES (o.user_id), (n.user_id)) AS ids(user_id)
      ) changed
      WHERE changed.at IS NOT NULL
      HAVING min(changed.at) IS NOT NULL;
  END IF;
  RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION pulse_log_user_rows() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO kpi_changes (changed_from, user_ids) SELECT min(created_at), '{}' FROM new_rows HAVING count(*) > 0;
  ELSIF TG_OP = 'DELETE' THEN
    INSERT INTO kpi_changes (changed_from, user_ids) SELECT min(created_at), '{}' FROM old_rows HAVING count(*) > 0;
  ELSE
    INSERT INTO kpi_changes (changed_from, user_ids)
      SELECT min(least(o.created_at, n.created_at)), '{}'
        FROM old_rows o FULL JOIN new_rows n ON n.id = o.id
       WHERE o.created_at IS DISTINCT FROM n.created_at
      HAVING count(*) > 0;
  END IF;
  RETURN NULL;
END $$;
