// `describe` for suites that need the real PostgreSQL: they run when it is reachable, skip with the reason
// printed when it is not — except in CI (CI=true), where a missing PostgreSQL fails the run.
import { describe, it } from 'vitest';
import { probePostgres } from './postgres-server.ts';

export { createTempDatabase, postgresAdminUrl, type TempDatabase } from './postgres-server.ts';

export const inCi = process.env.CI === 'true';

/** null when PostgreSQL answers; otherwise why not. Probed once per test file. */
export const postgresUnavailable = await probePostgres();

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
