// Computes KPI reports (DESIGN.md) over the pledge tables. Computed periods are cached (PeriodCache): a
// period's figures depend only on the rows (not on the clock — conversionMature is applied afterwards),
// and the change log drops every period a write can touch, so a repeated request with no write in between
// is served from memory, and after writes only the periods from the earliest change on are recomputed —
// usually just the open one — reading the rows of that range alone, with the opening values taken from the
// cached period before it. Every computation reads one consistent snapshot (REPEATABLE READ). When the
// database cannot be reached, the last report for the same request is served again, marked stale.
// Both memories are bounded by size: the period cache by `cachePeriods` (least recently used dropped first),
// the last reports by a total number of periods.
import { defineQuery } from '../db/query.ts';
import type { Db, Queryable } from '../db/types.ts';
import { assemblePeriod, closingOf, type Opening, type PeriodFacts, withMaturity } from './assemble.ts';
import { kpiQueries, type RangeParams } from './kpi-queries.ts';
import { type ParsedKpiRequest, parseKpiRequest } from './kpi-request.ts';
import { defaultCachePeriods, PeriodCache } from './period-cache.ts';
import { listPeriods, nextBoundary, type Period } from './periods.ts';
import type { KpiInterval, KpiReport, KpiRequest } from './types.ts';

export interface KpiEngineOptions {
  readonly currency: string;
  /** Keep closed periods between requests (the collector); a one-shot CLI run has no use for it. */
  readonly cache?: boolean;
  /** How many periods the cache keeps at most (default 20,000, about 5 MB); 0 keeps none. */
  readonly cachePeriods?: number;
  readonly now?: () => Date;
}

const pruneChangeLog = defineQuery<Record<string, never>, never>(
  'kpi.pruneChangeLog',
  "DELETE FROM kpi_changes WHERE recorded_at < now() - interval '1 day'",
);
const pruneEveryMs = 3_600_000;
/** How many distinct requests keep a last-known report for stale serving, and how many periods in all. */
const lastReportsKept = 50;
const lastReportPeriodsKept = 5_500;

export class KpiEngine {
  readonly #cache: PeriodCache | null;
  readonly #now: () => Date;
  readonly #lastReports = new Map<string, KpiReport>();
  #lastReportPeriods = 0;
  #prunedAt = 0;

  constructor(
    private readonly db: Db,
    private readonly options: KpiEngineOptions,
  ) {
    const cachePeriods = options.cachePeriods ?? defaultCachePeriods;
    this.#cache = options.cache === false || cachePeriods === 0 ? null : new PeriodCache(cachePeriods);
    this.#now = options.now ?? (() => new Date());
  }

  /** Number of closed periods held in the cache (0 without a cache). */
  get cachedPeriods(): number {
    return this.#cache?.size ?? 0;
  }

  /** The most periods the cache may hold (0 without a cache). */
  get cacheLimit(): number {
    return this.#cache?.maxPeriods ?? 0;
  }

  report(request: KpiRequest): Promise<KpiReport> {
    const raw = { ...request, asOf: request.asOf?.toISOString() };
    return this.reportParsed(parseKpiRequest(raw, (p) => p, this.#now));
  }

  async reportParsed(request: ParsedKpiRequest): Promise<KpiReport> {
    const key = `${request.interval}|${request.from.toISOString()}|${request.to.toISOString()}`;
    try {
      const facts = await this.#periodFacts(
        request.interval,
        listPeriods(request.from, request.to, request.interval),
      );
      const report: KpiReport = {
        interval: request.interval,
        currency: this.options.currency,
        asOf: request.asOf.toISOString(),
        stale: false,
        periods: facts.map((period) => withMaturity(period, request.asOf)),
      };
      this.#remember(key, report);
      return report;
    } catch (error) {
      const last = this.#lastReports.get(key);
      if (!last) throw error;
      return { ...last, stale: true };
    }
  }

  async #periodFacts(interval: KpiInterval, periods: Period[]): Promise<PeriodFacts[]> {
    await this.#pruneChangeLog();
    return this.db.transaction(async (tx) => {
      await tx.runScript('kpi.repeatableRead', 'SET TRANSACTION ISOLATION LEVEL REPEATABLE READ');
      const now = this.#now().getTime();
      await this.#cache?.sync(tx, now);
      const cached = periods.map((period) => this.#cache?.get(interval, period.start));
      const firstMissing = cached.indexOf(undefined);
      if (firstMissing === -1) return cached as PeriodFacts[];

      const opening = await this.#openingOf(
        tx,
        interval,
        periods[firstMissing] as Period,
        cached[firstMissing - 1],
      );
      const computed = await computeRange(tx, interval, periods.slice(firstMissing), opening);
      for (const facts of computed) this.#cache?.set(interval, facts);
      return [...(cached.slice(0, firstMissing) as PeriodFacts[]), ...computed];
    });
  }

  /** The values at `period.start`: from the cached period before it when there is one, else a snapshot. */
  async #openingOf(
    tx: Queryable,
    interval: KpiInterval,
    period: Period,
    before?: PeriodFacts,
  ): Promise<Opening> {
    const previous = before ?? this.#cache?.get(interval, nextBoundary(period.start, interval, -1));
    if (previous) return closingOf(previous);
    const [snapshot] = await tx.query(kpiQueries.mrrSnapshot, { at: period.start });
    const [users] = await tx.query(kpiQueries.usersBefore, { at: period.start });
    return { users: users?.users ?? 0, pledgers: snapshot?.pledgers ?? 0, mrrCents: snapshot?.mrrCents ?? 0 };
  }

  async #pruneChangeLog(): Promise<void> {
    const now = this.#now().getTime();
    if (!this.#cache || now - this.#prunedAt < pruneEveryMs) return;
    this.#prunedAt = now;
    await this.db.query(pruneChangeLog, {});
  }

  #remember(key: string, report: KpiReport): void {
    this.#forget(key);
    if (report.periods.length > lastReportPeriodsKept) return;
    this.#lastReports.set(key, report);
    this.#lastReportPeriods += report.periods.length;
    while (this.#lastReports.size > lastReportsKept || this.#lastReportPeriods > lastReportPeriodsKept) {
      const oldest = this.#lastReports.keys().next().value;
      if (oldest === undefined) break;
      this.#forget(oldest);
    }
  }

  #forget(key: string): void {
    const report = this.#lastReports.get(key);
    if (!report) return;
    this.#lastReports.delete(key);
    this.#lastReportPeriods -= report.periods.length;
  }
}

/** One pass over the rows of [first start, last end): movements, registrations and conversion per period. */
async function computeRange(tx: Queryable, interval: KpiInterval, periods: Period[], opening: Opening) {
  const range: RangeParams = {
    unit: interval,
    rangeStart: (periods[0] as Period).start,
    rangeEnd: (periods.at(-1) as Period).end,
  };
  const movements = byPeriodStart(await tx.query(kpiQueries.mrrMovements, range));
  const registrations = byPeriodStart(await tx.query(kpiQueries.registrations, range));
  const conversion = byPeriodStart(await tx.query(kpiQueries.conversion, range));
  let current = opening;
  return periods.map((period) => {
    const start = period.start.getTime();
    const facts = assemblePeriod(period, current, {
      registrations: registrations.get(start)?.registrations ?? 0,
      conversionCohort: conversion.get(start)?.cohort ?? 0,
      conversionConverted: conversion.get(start)?.converted ?? 0,
      movements: movements.get(start),
    });
    current = closingOf(facts);
    return facts;
  });
}

function byPeriodStart<R extends { periodStart: Date }>(rows: R[]): Map<number, R> {
  return new Map(rows.map((row) => [row.periodStart.getTime(), row]));
}
