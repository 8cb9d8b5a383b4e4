// Registration cohorts read a month at a time on the embedded database (so the pledge API's queries pass
// between the statements) give exactly the report that one statement gives on PostgreSQL, for the same
// rows — ranges that start and end mid-month included — and on PGlite there is one statement per cohort
// month, on PostgreSQL one in all.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { openPgliteDb } from '../../core/db/pglite-db.ts';
import { openPostgresDb } from '../../core/db/postgres-db.ts';
import { queriesDuring } from '../../core/db/queries-during.ts';
import type { Db } from '../../core/db/types.ts';
import { cohortReport } from '../../core/kpi/cohorts.ts';
import { migrate } from '../../core/migrate.ts';
import { seedDemoData } from '../../core/seed/seed-demo.ts';
import { testPool } from '../support/databases.ts';
import { createTempDatabase, describeWithPostgres, type TempDatabase } from '../support/postgres.ts';

const until = new Date('2026-10-20T12:00:00Z');
const ranges = [
  { from: new Date('2025-11-01T00:00:00Z'), to: new Date('2026-11-01T00:00:00Z'), asOf: until },
  { from: new Date('2026-02-01T00:00:00Z'), to: new Date('2026-07-15T00:00:00Z'), asOf: until },
];

describeWithPostgres('registration cohorts on both databases', () => {
  let temp: TempDatabase;
  let postgres: Db;
  let embedded: Db;
  beforeAll(async () => {
    temp = await createTempDatabase();
    postgres = openPostgresDb({ url: temp.url, pool: testPool });
    embedded = await openPgliteDb({ dataDir: 'memory://' });
    for (const db of [postgres, embedded]) {
      await migrate(db);
      await seedDemoData(db, { users: 400, months: 12, seed: 23, until, append: false });
    }
  });
  afterAll(async () => {
    await embedded?.close();
    await postgres?.close();
    await temp?.drop();
  });

  it('are the same report, a month per statement on PGlite and one statement on PostgreSQL', async () => {
    for (const range of ranges) {
      const onPostgres = await queriesDuring(postgres, async () => {
        const onEmbedded = await queriesDuring(embedded, async () => {
          expect(await cohortReport(embedded, range, 'USD')).toEqual(
            await cohortReport(postgres, range, 'USD'),
          );
        });
        const months =
          (range.to.getUTCFullYear() - range.from.getUTCFullYear()) * 12 +
          range.to.getUTCMonth() -
          range.from.getUTCMonth() +
          (range.to.getUTCDate() > 1 ? 1 : 0);
        expect(onEmbedded.filter((event) => event.queryName === 'kpi.cohorts')).toHaveLength(months);
      });
      expect(onPostgres.filter((event) => event.queryName === 'kpi.cohorts')).toHaveLength(1);
    }
    const report = await cohortReport(embedded, ranges[0] as (typeof ranges)[0], 'USD');
    expect(report.cohorts.length).toBe(12);
    expect(report.cohorts.some((cohort) => cohort.months.some((month) => month.pledgers > 0))).toBe(true);
  });
});
