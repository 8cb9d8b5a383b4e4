// `describe` for suites that need a primary and a streaming replica (test/support/replica-cluster.ts): they
// run when both can be started here, skip with the reason printed when not — and fail in CI (CI=true).
import { describe, it } from 'vitest';
import { inCi } from './postgres.ts';
import { replicaClusterUnavailable } from './replica-cluster.ts';

export function describeWithReplicaCluster(name: string, suite: () => void): void {
  const missing = replicaClusterUnavailable();
  if (missing === null) {
    describe(name, suite);
  } else if (inCi) {
    describe(name, () => {
      it('needs PostgreSQL server binaries (initdb, pg_ctl, pg_basebackup), which CI must provide', () => {
        throw new Error(missing);
      });
    });
  } else {
    console.warn(`[skipped] ${name}: ${missing}`);
    describe.skip(name, suite);
  }
}
