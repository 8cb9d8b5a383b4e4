// Reads what the scaling checklist learns from the database: the user count (the phase), the guide's indexes
// as the catalog lists them (pg_indexes, which PGlite has too), the users `pulse load` leaves behind (their
// marker: core/scaling/load-test-marker.ts), and the state of `pulse import-sqlite FILE --follow`
// (legacy_follow).
import { defineQuery } from '../../core/db/query.ts';
import type { Db } from '../../core/db/types.ts';
import { loadTestEmailPattern } from '../../core/scaling/load-test-marker.ts';
import { guideIndexes } from '../../core/scaling/scaling-guide.ts';
import { readLegacyFollow } from './legacy-follow.ts';
import type { DatabaseSignals, FoundIndex } from './scaling-types.ts';

/** How far back a `pulse load` run counts as recent. 720 hours, like the KPIs' 30 days: no DST drift. */
export const loadTestLookBackHours = 720;

const countUsers = defineQuery<Record<string, never>, { users: number }>(
  'scaling.countUsers',
  'SELECT count(*) AS users FROM users',
);

const findGuideIndexes = defineQuery<
  { names: string[] },
  { name: string; tableName: string; columns: string[]; valid: boolean }
>(
  'scaling.findGuideIndexes',
  `SELECT ix.indexname AS "name",
          ix.tablename AS "tableName",
          ARRAY(SELECT pg_get_indexdef(i.indexrelid, k, true)
                FROM generate_series(1, i.indnkeyatts::int) AS k ORDER BY k) AS "columns",
          i.indisvalid AS "valid"
     FROM pg_indexes ix
     JOIN pg_namespace n ON n.nspname = ix.schemaname
     JOIN pg_class c ON c.relname = ix.indexname AND c.relnamespace = n.oid
     JOIN pg_index i ON i.indexrelid = c.oid
    WHERE ix.schemaname = current_schema() AND ix.indexname = ANY(:names::text[])`,
);

// created_at first: idx_users_created_at narrows to the window before the email pattern is tested.
const findLoadTestUsers = defineQuery<
  { since: Date; pattern: string },
  { users: number; latest: Date | null }
>(
  'scaling.findLoadTestUsers',
  `SELECT count(*) AS users, max(created_at) AS latest
     FROM users
    WHERE created_at >= :since AND email LIKE :pattern`,
);

export async function readDatabaseSignals(db: Db, now: Date): Promise<DatabaseSignals> {
  const since = new Date(now.getTime() - loadTestLookBackHours * 3_600_000);
  const [userRows, indexRows, loadRows, legacyFollow] = await Promise.all([
    db.query(countUsers, {}),
    db.query(findGuideIndexes, { names: guideIndexes.map((index) => index.name) }),
    db.query(findLoadTestUsers, { since, pattern: loadTestEmailPattern }),
    readLegacyFollow(db),
  ]);
  const indexes = new Map<string, FoundIndex>(
    indexRows.map((row) => [row.name, { table: row.tableName, columns: row.columns, valid: row.valid }]),
  );
  return {
    users: userRows[0]?.users ?? 0,
    indexes,
    loadTestUsers: loadRows[0]?.users ?? 0,
    latestLoadTestAt: loadRows[0]?.latest ?? null,
    legacyFollow,
  };
}
