// `describe` for suites that need a private PostgreSQL cluster (test/support/private-postgres.ts): they run
// when one can be started here, skip with the reason printed when not — and fail in CI (CI=true).
import { describe, it } from 'vitest';
import { inCi } from './postgres.ts';
import { privatePostgresUnavailable } from './private-postgres.ts';

export function describeWithPrivatePostgres(name: string, suite: () => void): void {
  const missing = privatePostgresUnavailable();
  if (missing === null) {
    describe(name, suite);
  } else if (inCi) {
    describe(name, () => {
      it('needs PostgreSQL server binaries, which CI must provide', () => {
        throw new Error(missing);
      });
    });
  } else {
    console.warn(`[skipped] ${name}: ${missing}`);
    describe.skip(name, suite);
  }
}
