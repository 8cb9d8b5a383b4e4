// The KPI benchmark's scenarios on one loaded database (kpi.bench.ts runs them per shape and database):
// each timed as a median, each answer checked — the cold report against the per-month baseline, and every
// cached, restarted or patched report against a cold one.
import { isDeepStrictEqual } from 'node:util';
import { queriesDuring } from '../core/db/queries-during.ts';
import { defineQuery } from '../core/db/query.ts';
import type { Db } from '../core/db/types.ts';
import { KpiEngine } from '../core/kpi/kpi-engine.ts';
import { listPeriods } from '../core/kpi/periods.ts';
import type { KpiReport } from '../core/kpi/types.ts';
import { median, medianSeconds } from './harness.ts';
import { baselineMonthly } from './kpi-baseline.ts';
import { benchEnd, benchStart } from './kpi-data.ts';

/** "Now" sits inside the last month, so 23 months are closed and one is open. */
const now = new Date('2026-10-20T00:00:00Z');
export const request = { from: '2024-11-01', to: '2026-11-01', interval: 'month', asOf: now } as const;

const newPledge = defineQuery<{ at: Date }, never>(
  'bench.newPledge',
  'INSERT INTO pledges (user_id, artist_id, amount_cents, created_at) VALUES (1, 1, 500, :at)',
);
const openMonthWrite = new Date('2026-10-15T00:00:00Z');
const backfillWrite = new Date('2026-04-15T00:00:00Z');

export interface ShapeFigures {
  readonly load: number;
  /** Null when the baseline was not run (the 10M run). */
  readonly baseline: number | null;
  readonly cold: number;
  /** Baseline ÷ from scratch for each alternating pair, in run order (empty without a baseline). */
  readonly pairRatios: readonly number[];
  /** Where the cold time goes: seconds per KPI query. */
  readonly coldQueries: string;
  readonly coldPeakRssBytes: number;
  readonly restarted: number;
  readonly warm: number;
  readonly firstWrite: number;
  /** The process's peak RSS while the first write builds the open period's per-user state. */
  readonly firstWritePeakRssBytes: number;
  readonly openUsers: number;
  readonly afterWrite: number;
  readonly afterBackfill: number;
}

export const ms = (s: number) => `${(s * 1000).toFixed(s < 0.1 ? 1 : 0)} ms`;
export const seconds = (s: number) => `${s.toFixed(2)} s`;

export async function measureShape(
  db: Db,
  load: (db: Db) => Promise<void>,
  runs: { pairs: number; coldRuns: number },
): Promise<ShapeFigures> {
  const loadSeconds = await timeOnce(() => load(db));
  const months = listPeriods(benchStart, benchEnd, 'month');
  const coldEngine = () => new KpiEngine(db, { currency: 'USD', cache: false, now: () => now });
  const coldOnce = async () => {
    const rss = sampleRss();
    const seconds = await timeOnce(() => coldEngine().report(request));
    return { seconds, peakRss: rss.stop() };
  };
  // With a baseline, the two alternate (baseline, then from scratch, `pairs` times), so a machine that
  // slows down or speeds up during the run moves both sides of every ratio alike.
  const baselines: number[] = [];
  const colds: Array<{ seconds: number; peakRss: number }> = [];
  const pairRatios: number[] = [];
  for (let pair = 0; pair < runs.pairs; pair++) {
    const baselineSeconds = await timeOnce(() => baselineMonthly(db, months));
    const cold = await coldOnce();
    baselines.push(baselineSeconds);
    colds.push(cold);
    pairRatios.push(baselineSeconds / cold.seconds);
  }
  while (colds.length < runs.coldRuns) colds.push(await coldOnce());
  const baseline = baselines.length > 0 ? median(baselines) : null;
  const cold = median(colds.map((run) => run.seconds));
  const coldPeakRssBytes = Math.max(...colds.map((run) => run.peakRss));
  const coldQueries = await queryTimes(db, () => coldEngine().report(request));
  const truth = await coldEngine().report(request);
  if (runs.pairs > 0) await checkAgainstBaseline(truth, await baselineMonthly(db, months));

  const engineOn = () => new KpiEngine(db, { currency: 'USD', now: () => now });
  const running = engineOn();
  await running.report(request);
  const restarted = await medianSeconds(
    5,
    async () => engineOn(),
    (engine) => same(engine, truth),
  );
  const warm = await medianSeconds(7, noPrep, () => same(running, truth));

  await db.query(newPledge, { at: openMonthWrite });
  const writeRss = sampleRss();
  const firstWrite = await timeOnce(() => running.report(request));
  const firstWritePeakRssBytes = writeRss.stop();
  const openUsers = running.openPeriodUsers('month');
  const afterWrite = await medianSeconds(
    5,
    () => db.query(newPledge, { at: openMonthWrite }),
    () => running.report(request).then(() => undefined),
  );
  const afterBackfill = await medianSeconds(
    3,
    () => db.query(newPledge, { at: backfillWrite }),
    () => running.report(request).then(() => undefined),
  );
  await same(running, await coldEngine().report(request));
  return {
    load: loadSeconds,
    baseline,
    cold,
    pairRatios,
    coldQueries,
    coldPeakRssBytes,
    restarted,
    warm,
    firstWrite,
    firstWritePeakRssBytes,
    openUsers,
    afterWrite,
    afterBackfill,
  };
}

const noPrep = async () => undefined;

async function timeOnce(task: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await task();
  return (performance.now() - started) / 1000;
}

/** Reports through `engine` and fails the benchmark if the answer differs from `truth`. */
async function same(engine: KpiEngine, truth: KpiReport): Promise<void> {
  const report = await engine.report(request);
  if (!isDeepStrictEqual(report, truth))
    throw new Error('a cached KPI report differs from a cold computation');
}

/** "movements 0.81 s, conversion 0.09 s, …": the queries of one run, by total duration. */
async function queryTimes(db: Db, work: () => Promise<unknown>): Promise<string> {
  const events = await queriesDuring(db, work);
  return events
    .filter((event) => event.queryName.startsWith('kpi.') && event.durationSeconds >= 0.001)
    .sort((a, b) => b.durationSeconds - a.durationSeconds)
    .map((event) => `${event.queryName.slice(4)} ${seconds(event.durationSeconds)}`)
    .join(', ');
}

/** Samples the process's RSS every 20 ms until stopped; returns the peak. */
function sampleRss(): { stop(): number } {
  let peak = process.memoryUsage().rss;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 20);
  return {
    stop() {
      clearInterval(timer);
      return Math.max(peak, process.memoryUsage().rss);
    },
  };
}

/** A fast answer only counts if it is the same answer: every baseline figure must match the engine's. */
async function checkAgainstBaseline(engine: KpiReport, baseline: readonly object[]): Promise<void> {
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
