// `npm run bench -- kpi-burst`: 50 concurrent founder clients requesting 350 different 3-year daily windows
// (1,095 periods each) from the collector while the pledge API shares its process, on PostgreSQL with the
// KPI benchmark's data (100,000 users / 1,000,000 pledges). Busy answers (503) are retried after their
// Retry-After, so every window is computed once. BENCH_BURST_REQUESTS and BENCH_BURST_CONCURRENCY change the
// load.
import { openPostgresDb } from '../core/db/postgres-db.ts';
import { migrate } from '../core/migrate.ts';
import { describeBurst, runKpiBurst, windowDays } from '../test/support/kpi-burst.ts';
import { createTempDatabase, probePostgres } from '../test/support/postgres-server.ts';
import { type Benchmark, SkipBenchmark } from './harness.ts';
import { benchScale, loadBenchData } from './kpi-data.ts';

const requests = Number(process.env.BENCH_BURST_REQUESTS ?? 350);
const concurrency = Number(process.env.BENCH_BURST_CONCURRENCY ?? 50);

export const kpiBurstBenchmark: Benchmark = {
  name: 'kpi-burst',
  async run() {
    const unavailable = await probePostgres();
    if (unavailable) throw new SkipBenchmark(unavailable);
    const temp = await createTempDatabase('pulse_bench');
    const db = openPostgresDb({
      url: temp.url,
      pool: { max: 20, idleTimeoutMillis: 30_000, connectionTimeoutMillis: 10_000 },
    });
    try {
      await migrate(db);
      await loadBenchData(db);
      // Window 17 of 350 covers the data (2024-11 to 2026-11); the others lie before it (empty) or after it
      // (every pledge already in the opening snapshot).
      const result = await runKpiBurst({
        db,
        url: temp.url,
        requests,
        concurrency,
        firstDay: new Date('1973-01-01T00:00:00Z'),
        retryBusy: true,
      });
      return (
        `kpi-burst ${requests} requests × ${windowDays} daily periods, ${concurrency} concurrent, over ` +
        `${benchScale.users.toLocaleString('en-US')} users / ${benchScale.pledges.toLocaleString('en-US')} pledges ` +
        `(PostgreSQL, collector + pledge API in one process): ${describeBurst(result)}`
      );
    } finally {
      await db.close();
      await temp.drop();
    }
  },
};
