// KPI refresh, side by side in one run, on two shapes of data (the generator's and a dense one, see
// kpi-data.ts) and on both databases: the per-month baseline and the engine cold (no cache, no store),
// alternating in pairs (five on PostgreSQL, three on PGlite: each pair's ratio is printed, the medians are
// the figures), a restarted engine (periods from the database store), warm (same engine, no write since),
// the first write in the open month (builds its per-user state), one more write (re-reads one user), and a
// backfill into a closed month (recomputes from it on). On PostgreSQL also the first GET /api/kpis of a
// freshly started collector. Every figure is checked: the engine's answers equal the baseline's.
// KPI_BENCH_10M=1 adds the dense shape at 1,000,000 users / 10,000,000 pledges on PostgreSQL.
import { tmpdir } from 'node:os';
import { openPgliteDb } from '../core/db/pglite-db.ts';
import { openPostgresDb } from '../core/db/postgres-db.ts';
import { migrate } from '../core/migrate.ts';
import { getJson, startTestCollector } from '../test/support/collector.ts';
import { createTempDatabase, probePostgres } from '../test/support/postgres-server.ts';
import type { Benchmark } from './harness.ts';
import { denseShape, hugeDenseScale, type Shape, shapesAt } from './kpi-data.ts';
import { measureShape, ms, request, type ShapeFigures, seconds } from './kpi-scenarios.ts';

const pool = { max: 10, idleTimeoutMillis: 30_000, connectionTimeoutMillis: 10_000 };
const apiPath = `/api/kpis?from=${request.from}&to=${request.to}&interval=month&asOf=${request.asOf.toISOString()}`;

export const kpiBenchmark: Benchmark = {
  name: 'kpi',
  async run() {
    // Each line is printed as soon as it is measured (a full run takes several minutes).
    const lines: string[] = [];
    const print = (line: string) => {
      lines.push(line);
      console.log(line);
    };
    const unavailable = await probePostgres();
    for (const shape of shapesAt(1)) {
      print(
        unavailable
          ? `kpi [PostgreSQL, ${shape.name}]: skipped — ${unavailable}`
          : await onPostgres(shape, true),
      );
    }
    for (const shape of shapesAt(0.1)) print(await onPglite(shape));
    if (process.env.KPI_BENCH_10M === '1') {
      print(
        unavailable
          ? `kpi 10M: skipped — ${unavailable}`
          : await onPostgres(denseShape(hugeDenseScale), false),
      );
    }
    return `kpi: ${lines.length} lines above`;
  },
};

async function onPostgres(shape: Shape, withBaseline: boolean): Promise<string> {
  const temp = await createTempDatabase('pulse_bench');
  const db = openPostgresDb({ url: temp.url, pool });
  try {
    await migrate(db);
    const figures = await measureShape(db, shape.load, { pairs: withBaseline ? 5 : 0, coldRuns: 3 });
    // A freshly started collector's first answers, from the store the engine runs above left: at once (it
    // competes with the collector's own start-up work: the first alert evaluation reads KPIs, counts users
    // and checks the scaling guide's indexes), and from a second collector once that work has settled.
    const atOnce = await firstGet(temp.url, 0);
    const settled = await firstGet(temp.url, 3_000);
    return (
      `${describe('PostgreSQL', shape.name, figures)}; a freshly started collector's first GET /api/kpis ` +
      `${ms(atOnce)} at once, ${ms(settled)} after its start-up evaluation`
    );
  } finally {
    await db.close();
    await temp.drop();
  }
}

/** Starts a collector, waits `settleMs`, and times its first GET /api/kpis. */
async function firstGet(url: string, settleMs: number): Promise<number> {
  const collector = await startTestCollector({ kind: 'postgres', url, dataDir: tmpdir(), pool });
  try {
    await new Promise((resolve) => setTimeout(resolve, settleMs));
    const started = performance.now();
    await getJson(collector, apiPath, 'founder');
    return (performance.now() - started) / 1000;
  } finally {
    await collector.stop();
  }
}

async function onPglite(shape: Shape): Promise<string> {
  const db = await openPgliteDb({ dataDir: 'memory://' });
  try {
    await migrate(db);
    return describe('PGlite', shape.name, await measureShape(db, shape.load, { pairs: 3, coldRuns: 3 }));
  } finally {
    await db.close();
  }
}

/** ", pairs 10.6, 10.9, …×": each alternating pair's ratio, when there was more than one. */
const pairs = (ratios: readonly number[]) =>
  ratios.length > 1 ? `, pairs ${ratios.map((r) => r.toFixed(1)).join(', ')}×` : '';

const megabytes = (bytes: number) => `${(bytes / 1048576).toFixed(0)} MB`;

function describe(database: string, shape: string, f: ShapeFigures): string {
  const times = (fast: number) =>
    f.baseline ? ` = ${(f.baseline / fast).toFixed(f.baseline / fast < 10 ? 1 : 0)}×` : '';
  return (
    `kpi [${database}, ${shape}, loaded in ${seconds(f.load)}], 24 months: ` +
    `${f.baseline ? `per-month baseline ${seconds(f.baseline)}; ` : ''}` +
    `cold ${seconds(f.cold)}${times(f.cold)}${pairs(f.pairRatios)} (${f.coldQueries}); ` +
    `restarted ${ms(f.restarted)}${times(f.restarted)}; warm ${ms(f.warm)}; ` +
    `first write in the open month ${ms(f.firstWrite)} (builds its per-user state, ${f.openUsers.toLocaleString('en-US')} users); ` +
    `after one more write ${ms(f.afterWrite)}${times(f.afterWrite)}; ` +
    `after a backfill 6 months back ${ms(f.afterBackfill)}${times(f.afterBackfill)}; ` +
    `process RSS during cold ${megabytes(f.coldPeakRssBytes)} at most, during the first write ${megabytes(f.firstWritePeakRssBytes)}`
  );
}
