// The marker `pulse load` leaves in the users table, written once: the load generator (cli/load/) registers
// its users as `load-<run>-<n>@load.pledgr.test`, in a domain that cannot reach anyone, and the scaling
// checklist (collector/scaling/database-signals.ts) counts recent ones as the sign that a load test was run.

/** The domain of every user `pulse load` registers. */
export const loadTestEmailDomain = 'load.pledgr.test';

/** User `n` of load-test run `runId`: unique per run and sequence number. */
export function loadTestEmail(runId: string, n: number | string): string {
  return `load-${runId}-${n}@${loadTestEmailDomain}`;
}

/** Every `loadTestEmail` as a SQL LIKE pattern. */
export const loadTestEmailPattern = `load-%@${loadTestEmailDomain}`;
