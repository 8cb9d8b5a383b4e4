// Runs one suite against both data-layer implementations with the same assertions: PGlite in memory and
// a fresh database on the real PostgreSQL (skipped with a reason, or failed in CI, when it is missing).
import { afterAll, beforeAll, describe } from 'vitest';
import { openPgliteDb } from '../../core/db/pglite-db.ts';
import { openPostgresDb } from '../../core/db/postgres-db.ts';
import type { Db } from '../../core/db/types.ts';
import { createTempDatabase, describeWithPostgres, type TempDatabase } from './postgres.ts';

export const testPool = { max: 5, idleTimeoutMillis: 5_000, connectionTimeoutMillis: 5_000 } as const;

export interface DatabaseFixture {
  /** The database for this suite, opened in beforeAll. */
  readonly db: () => Db;
  /** Opens a further, fresh database of the same kind (closed and dropped after the suite). */
  readonly fresh: () => Promise<Db>;
}

export function describeEachDatabase(name: string, suite: (fixture: DatabaseFixture) => void): void {
  describe(`${name} [PGlite]`, () => suite(fixtureFor(() => openPgliteDb({ dataDir: 'memory://' }))));

  describeWithPostgres(`${name} [PostgreSQL]`, () => {
    const temps: TempDatabase[] = [];
    afterAll(async () => {
      await Promise.all(temps.map((temp) => temp.drop()));
    });
    suite(
      fixtureFor(async () => {
        const temp = await createTempDatabase();
        temps.push(temp);
        return openPostgresDb({ url: temp.url, pool: testPool });
      }),
    );
  });
}

function fixtureFor(open: () => Promise<Db>): DatabaseFixture {
  let main: Db | undefined;
  const opened: Db[] = [];
  const fresh = async () => {
    const db = await open();
    opened.push(db);
    return db;
  };
  beforeAll(async () => {
    main = await fresh();
  });
  afterAll(async () => {
    await Promise.all(opened.map((db) => db.close()));
  });
  return {
    db: () => {
      if (!main) throw new Error('the database is opened in beforeAll');
      return main;
    },
    fresh,
  };
}
