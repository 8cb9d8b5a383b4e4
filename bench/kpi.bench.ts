// KPI refresh: the full 24-month monthly set over 100,000 users / 1,000,000 pledges on PostgreSQL — the
// per-month baseline, the engine cold (no cache), the engine warm (closed months cached, the open one
// recomputed), and the same two through the collector's HTTP API. Medians of 3 (baseline, cold) or 7 (warm).
import { tmpdir } from 'node:os';
import type { RunningCollector } from '../collector/server.ts';
import { openPostgresDb } from '../core/db/postgres-db.ts';
import { defineQuery } from '../core/db/query.ts';
import type { Db } from '../core/db/types.ts';
import { KpiEngine } from '../core/kpi/kpi-engine.ts';
import { listPeriods } from '../core/kpi/periods.ts';
import type { KpiReport } from '../core/kpi/types.ts';
import { migrate } from '../core/migrate.ts';
import { getJson, startTestCollector } from '../test/support/collector.ts';
import { createTempDatabase, probePostgres } from '../test/support/postgres-server.ts';
import { type Benchmark, medianSeconds, SkipBenchmark } from './harness.ts';
import { baselineMonthly } from './kpi-baseline.ts';
import { benchEnd, benchScale, benchStart, loadBenchData } from './kpi-data.ts';

const pool = { max: 10, idleTimeoutMillis: 30_000, connectionTimeoutMillis: 10_000 };
/** "Now" sits inside the last month, so 23 months are closed and one is open. */
const now = new Date('2026-10-20T00:00:00Z');
/** A live write: one new pledge in the open month. */
const newPledge = defineQuery<{ at: Date }, never>(
  'bench.newPledge',
  'INSERT INTO pledges (user_id, artist_id, amount_cents, created_at) VALUES (1, 1, 500, :at)',
);
const request = { from: '2024-11-01', to: '2026-11-01', interval: 'month', asOf: now } as const;
const apiPath = `/api/kpis?from=${request.from}&to=${request.to}&interval=month&asOf=${now.toISOString()}`;

const ms = (seconds: number) => `${(seconds * 1000).toFixed(1)} ms`;

export const kpiBenchmark: Benchmark = {
  name: 'kpi',
  async run() {
    const unavailable = await probePostgres();
    if (unavailable) throw new SkipBenchmark(unavailable);
    const temp = await createTempDatabase('pulse_bench');
    const db = openPostgresDb({ url: temp.url, pool });
    let collector: RunningCollector | undefined;
    try {
      await migrate(db);
      const loadSeconds = await medianSeconds(
        1,
        async () => undefined,
        () => loadBenchData(db),
      );
      const months = listPeriods(benchStart, benchEnd, 'month');

      const baseline = await medianSeconds(
        3,
        async () => undefined,
        () => baselineMonthly(db, months).then(() => undefined),
      );
      const cold = await medianSeconds(
        3,
        async () => undefined,
        () => coldReport(db).then(() => undefined),
      );
      const engine = new KpiEngine(db, { currency: 'USD', now: () => now });
      await engine.report(request);
      const warm = await medianSeconds(
        7,
        async () => undefined,
        () => engine.report(request).then(() => undefined),
      );
      const afterWrite = await medianSeconds(
        5,
        () => db.query(newPledge, { at: now }),
        () => engine.report(request).then(() => undefined),
      );
      await checkAgainstBaseline(db, months);

      collector = await startTestCollector({ kind: 'postgres', url: temp.url, dataDir: tmpdir(), pool });
      const apiCold = await timeOnce(() => getJson(collector as RunningCollector, apiPath, 'founder'));
      const apiWarm = await medianSeconds(
        7,
        async () => undefined,
        () => getJson(collector as RunningCollector, apiPath, 'founder').then(() => undefined),
      );
      return (
        `kpi 24 monthly periods over ${benchScale.users.toLocaleString('en-US')} users / ` +
        `${benchScale.pledges.toLocaleString('en-US')} pledges (PostgreSQL, loaded in ${loadSeconds.toFixed(1)} s): ` +
        `per-month baseline ${baseline.toFixed(2)} s; engine cold ${cold.toFixed(2)} s = ${(baseline / cold).toFixed(1)}× faster, ` +
        `warm (no write since) ${ms(warm)} = ${(baseline / warm).toFixed(0)}× faster, ` +
        `after a new pledge in the open month ${ms(afterWrite)} = ${(baseline / afterWrite).toFixed(0)}× faster; ` +
        `API cold ${ms(apiCold)}, warm ${ms(apiWarm)}`
      );
    } finally {
      await collector?.stop();
      await db.close();
      await temp.drop();
    }
  },
};

function coldReport(db: Db): Promise<KpiReport> {
  return new KpiEngine(db, { currency: 'USD', cache: false, now: () => now }).report(request);
}

async function timeOnce(task: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await task();
  return (performance.now() - started) / 1000;
}

/** A fast answer only counts if it is the same answer: every baseline figure must match the engine's. */
async function checkAgainstBaseline(db: Db, months: ReturnType<typeof listPeriods>): Promise<void> {
  const [engine, baseline] = [await coldReport(db), await baselineMonthly(db, months)];
  baseline.forEach((month, i) => {
    const period = engine.periods[i] as unknown as Record<string, unknown>;
    for (const [field, value] of Object.entries(month)) {
      if (period[field] !== value) {
        throw new Error(
          `baseline and engine disagree on ${field} for ${period.periodStart}: ${value} vs ${period[field]}`,
        );
      }
    }
  });
}
