// Row counts of every table a request could write: the fuzz suites compare them before and after a run.
import { defineQuery } from '../../../core/db/query.ts';
import type { Db } from '../../../core/db/types.ts';

const countRows = defineQuery<Record<string, never>, Record<string, number>>(
  'test.fuzzRowCounts',
  `SELECT (SELECT count(*) FROM users) AS users, (SELECT count(*) FROM artists) AS artists,
          (SELECT count(*) FROM pledges) AS pledges, (SELECT count(*) FROM sessions) AS sessions,
          (SELECT count(*) FROM idempotency_keys) AS idempotency_keys,
          (SELECT count(*) FROM scaling_records) AS scaling_records,
          (SELECT count(*) FROM pledges WHERE cancelled_at IS NOT NULL) AS cancelled_pledges,
          (SELECT count(*) FROM sessions WHERE revoked_at IS NOT NULL) AS revoked_sessions`,
);

export async function rowCounts(db: Db): Promise<Record<string, number>> {
  const [row] = await db.query(countRows, {});
  return Object.fromEntries(Object.entries(row ?? {}).map(([name, count]) => [name, Number(count)]));
}
