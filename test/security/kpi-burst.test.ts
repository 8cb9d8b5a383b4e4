// A burst of founder KPI requests must not take the process down with it: 50 concurrent clients asking for
// 150 different 3-year daily reports (1,095 periods each) from the collector while the pledge API shares its
// event loop and database (bench/kpi-burst.bench.ts runs the same scenario at full size). Before the fix every
// request ran at once — /healthz waited 1–2 s, the pool ran dry (503 database_unavailable) and the period
// cache kept every period ever asked for. The bounds here are loose on purpose: the benchmark measured the
// loop at ~0.1–0.2 s worst case after the fix and 1–1.8 s before it.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { defaultKpiSettings } from '../../collector/config.ts';
import { openPostgresDb } from '../../core/db/postgres-db.ts';
import type { Db } from '../../core/db/types.ts';
import { migrate } from '../../core/migrate.ts';
import { seedDemoData } from '../../core/seed/seed-demo.ts';
import { testPool } from '../support/databases.ts';
import { type KpiBurstResult, runKpiBurst } from '../support/kpi-burst.ts';
import { createTempDatabase, describeWithPostgres, type TempDatabase } from '../support/postgres.ts';

const limits = { ...defaultKpiSettings, maxConcurrent: 2, maxQueued: 10, cachePeriods: 5_000 };
const mib = 2 ** 20;

describeWithPostgres('KPI burst on the shared event loop [PostgreSQL]', () => {
  let temp: TempDatabase;
  let db: Db;
  let result: KpiBurstResult;

  beforeAll(async () => {
    temp = await createTempDatabase();
    db = openPostgresDb({ url: temp.url, pool: { ...testPool, max: 10 } });
    await migrate(db);
    await seedDemoData(db, {
      users: 2_000,
      months: 18,
      seed: 7,
      until: new Date('2026-10-01T00:00:00Z'),
      append: false,
    });
    // Window 17 covers the seeded months; the others lie before them (empty) or after them.
    result = await runKpiBurst({
      db,
      url: temp.url,
      requests: 150,
      concurrency: 50,
      firstDay: new Date('1973-01-01T00:00:00Z'),
      retryBusy: true,
      collector: { kpi: limits },
    });
    console.log(
      `[kpi burst] ${JSON.stringify(result.statuses)} ${JSON.stringify(result.busyCodes)}; loop delay max ` +
        `${result.loopDelayMaxMs.toFixed(0)} ms; /healthz max ${result.collectorHealthz.maxMs.toFixed(0)} / ` +
        `${result.agentHealthz.maxMs.toFixed(0)} ms; heap ${(result.heapBeforeBytes / mib).toFixed(0)} → ` +
        `${(result.heapAfterBytes / mib).toFixed(0)} MiB; ${result.cachedPeriods} periods cached`,
    );
  }, 120_000);

  afterAll(async () => {
    await db?.close();
    await temp?.drop();
  });

  it('answers every request 200 or 503 kpi_busy with a Retry-After, never another error', () => {
    expect(result.failures).toBe(0);
    expect(Object.keys(result.statuses).sort()).toEqual(['200', '503']);
    // Busy answers were retried until served: each window was computed once.
    expect(result.statuses['200']).toBe(150);
    expect(Object.keys(result.busyCodes)).toEqual(['kpi_busy']);
    expect(result.busyWithoutRetryAfter).toBe(0);
  });

  it('keeps /healthz of the collector and of the pledge API answering within half a second', () => {
    expect(result.collectorHealthz.failures).toBe(0);
    expect(result.agentHealthz.failures).toBe(0);
    expect(result.collectorHealthz.count).toBeGreaterThan(10);
    expect(result.collectorHealthz.maxMs).toBeLessThan(500);
    expect(result.agentHealthz.maxMs).toBeLessThan(500);
    expect(result.loopDelayMaxMs).toBeLessThan(500);
  });

  it('keeps the period cache within its limit and the heap from growing with the periods asked for', () => {
    expect(result.cachedPeriods).toBeGreaterThan(0);
    expect(result.cachedPeriods).toBeLessThanOrEqual(limits.cachePeriods);
    // 164,250 periods were computed; kept, they took ~80 MiB. The bounded memories hold a few MiB.
    expect(result.heapAfterBytes - result.heapBeforeBytes).toBeLessThan(40 * mib);
  });
});
