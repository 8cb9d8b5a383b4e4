// Access to the real PostgreSQL the suites run against. Each suite gets a database of its own, created here
// and dropped afterwards. Where PostgreSQL is unreachable the suites skip with the reason printed — except in
// CI (CI=true), where a missing PostgreSQL fails the run.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { describe, it } from 'vitest';

/** A server URL whose user may CREATE DATABASE; the path names the maintenance database. */
export const postgresAdminUrl =
  process.env.PULSE_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export const inCi = process.env.CI === 'true';

async function probe(): Promise<string | null> {
  const client = new pg.Client({ connectionString: postgresAdminUrl, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return null;
  } catch (error) {
    return `PostgreSQL not reachable at ${new URL(postgresAdminUrl).host}: ${(error as Error).message}`;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** null when PostgreSQL answers; otherwise why not. */
export const postgresUnavailable = await probe();

/**
 * `describe` for a suite that needs PostgreSQL: runs normally when it is reachable, fails in CI when it is
 * not, and elsewhere skips with the reason printed.
 */
export function describeWithPostgres(name: string, suite: () => void): void {
  if (postgresUnavailable === null) {
    describe(name, suite);
  } else if (inCi) {
    describe(name, () => {
      it('needs PostgreSQL, which CI must provide', () => {
        throw new Error(postgresUnavailable as string);
      });
    });
  } else {
    console.warn(`[skipped] ${name}: ${postgresUnavailable} (set PULSE_TEST_DATABASE_URL)`);
    describe.skip(name, suite);
  }
}

export interface TempDatabase {
  readonly url: string;
  drop(): Promise<void>;
}

/** Creates an empty database with a random name on the test server. */
export async function createTempDatabase(prefix = 'pulse_test'): Promise<TempDatabase> {
  const name = `${prefix}_${randomBytes(6).toString('hex')}`;
  await adminQuery(`CREATE DATABASE ${name}`);
  const url = new URL(postgresAdminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: () => adminQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`),
  };
}

async function adminQuery(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: postgresAdminUrl });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}
