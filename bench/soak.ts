// `npm run soak`: the database-outage scenario of test/reliability/database-outage.test.ts once, larger —
// a private PostgreSQL, the real agent process and the in-process collector under pledge write load from
// many clients, PostgreSQL stopped for a while and started again — and prints the figures the README's
// "guarantees" section quotes. Exits 1 when a write was lost or an unexpected 5xx was seen.
//   node --import tsx bench/soak.ts     (SOAK_CLIENTS=24, SOAK_BEFORE_S=10, SOAK_OUTAGE_S=15, SOAK_AFTER_S=10)
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { runOutageScenario } from '../test/support/outage-scenario.ts';
import { privatePostgresUnavailable } from '../test/support/private-postgres.ts';
import { answersMatching } from '../test/support/write-load.ts';

setFlagsFromString('--expose-gc');
(globalThis as { gc?: () => void }).gc = runInNewContext('gc') as () => void;

const setting = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const missing = privatePostgresUnavailable();
if (missing) {
  console.log(`soak: skipped — ${missing}`);
  process.exit(process.env.CI === 'true' ? 1 : 0);
}

const result = await runOutageScenario({
  clients: setting('SOAK_CLIENTS', 24),
  amountCents: 500,
  beforeMs: setting('SOAK_BEFORE_S', 10) * 1000,
  outageMs: setting('SOAK_OUTAGE_S', 15) * 1000,
  afterMs: setting('SOAK_AFTER_S', 10) * 1000,
  connectionTimeoutMs: 1000,
});

const { tally } = result;
const duringOutage = (phase: string) => phase === 'outage' || phase === 'recovery';
const expected503 = answersMatching(tally, (phase, answer) => duringOutage(phase) && answer === '503');
const unexpected5xx = answersMatching(
  tally,
  (phase, answer) => Number(answer) >= 500 && !(duringOutage(phase) && answer === '503'),
);
const networkErrors = answersMatching(tally, (_, answer) => answer === 'network');
const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

console.log(
  [
    'soak (database outage):',
    `  requests tried            ${tally.tried}`,
    `  acknowledged writes       ${tally.acknowledged.size}`,
    `  5xx seen (unexpected)     ${unexpected5xx}`,
    `  503 during the outage     ${expected503} (expected: database_unavailable)`,
    `  connection errors         ${networkErrors}`,
    `  writes lost (2xx, no row) ${result.lost.length}`,
    `  slowest answer in outage  ${tally.slowestMs.get('outage') ?? 0} ms`,
    `  recovery after pg start   ready ${result.readyAfterMs} ms, first write ${result.firstWriteAfterMs} ms (pg_ctl start took ${result.postgresStartMs} ms)`,
    `  KPIs during the outage    ${result.kpisDuring.status} stale=${result.kpisDuring.body.stale}; alerts ${result.alertsDuring.join(' ') || 'none'}`,
    `  agent RSS                 ${mb(result.memory.agentRssBefore)} → ${mb(result.memory.agentRssAfter)}`,
    `  collector heap (after GC) ${mb(result.memory.collectorHeapBefore)} → ${mb(result.memory.collectorHeapAfter)}`,
    `  collector process RSS     ${mb(result.memory.collectorRssBefore)} → ${mb(result.memory.collectorRssAfter)}`,
    `  agent exit code           ${result.agentExitCode}`,
  ].join('\n'),
);
process.exitCode = result.lost.length > 0 || unexpected5xx > 0 || networkErrors > 0 ? 1 : 0;
