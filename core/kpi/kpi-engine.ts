// Computes KPI reports (DESIGN.md) over the pledge tables. Computed periods are cached at two levels: in
// memory (PeriodCache) and in the database (PeriodStore, kpi_period_store), so a restarted collector, or a
// second one on the same database, answers from what was already computed. A period's figures depend only
// on the rows (not on the clock — conversionMature is applied afterwards), and the change log drops every
// period a write can touch, so a repeated request with no write in between is served from memory, and after
// writes only the periods from the earliest change on are recomputed — usually just the open one — reading
// the rows of that range alone, with the opening values taken from the cached period before it. Every
// computation reads one consistent snapshot (REPEATABLE READ); results are stored with that snapshot. When
// the database cannot be reached, the last report for the same request is served again, marked stale.
// The memories are bounded by size: the period cache by `cachePeriods` (least recently used dropped first),
// the store by `storedPeriods` (newest kept), the last reports by a total number of periods.
import type { Db, Queryable } from '../db/types.ts';
import { assemblePeriod, closingOf, type Opening, type PeriodFacts, withMaturity } from './assemble.ts';
import { kpiQueries, type RangeParams, withoutJit } from './kpi-queries.ts';
import { type ParsedKpiRequest, parseKpiRequest } from './kpi-request.ts';
import { defaultMaxOpenUsers, OpenPeriodState } from './open-period.ts';
import type { ChangeSummary } from './period-cache.ts';
import { defaultCachePeriods, PeriodCache } from './period-cache.ts';
import { defaultStoredPeriods, PeriodStore } from './period-store.ts';
import { listPeriods, nextBoundary, type Period } from './periods.ts';
import { defaultMovementSlices, readMovements } from './sliced-movements.ts';
import type { KpiInterval, KpiReport, KpiRequest } from './types.ts';

export interface KpiEngineOptions {
  readonly currency: string;
  /** Keep closed periods between requests (the collector); a one-shot CLI run has no use for it. */
  readonly cache?: boolean;
  /** How many periods the cache keeps at most (default 20,000, about 5 MB); 0 keeps none. */
  readonly cachePeriods?: number;
  readonly now?: () => Date;
  /** Where computed periods are persisted when reads go to a replica (default: the database read from). */
  readonly writeDb?: Db;
  /**
   * Keep computed periods in the database too (kpi_period_store) and serve them after a restart; on when
   * `cache` is. At most `storedPeriods` rows (default 100,000).
   */
  readonly store?: boolean;
  readonly storedPeriods?: number;
  /** The most moving users a period kept per user may have (default 1,000,000, about 45 MB); 0 keeps none. */
  readonly maxOpenUsers?: number;
  /**
   * On how many connections sharing one snapshot, each taking ranges of the users from one queue, a range
   * of periods is computed on PostgreSQL (default 2; 1 runs it whole). See sliced-movements.ts.
   */
  readonly movementSlices?: number;
  /** Told when storing computed periods failed (the report is still served). */
  readonly onStoreError?: (error: unknown) => void;
}
const pruneEveryMs = 3_600_000;
/** How many distinct requests keep a last-known report for stale serving, and how many periods in all. */
const lastReportsKept = 50;
const lastReportPeriodsKept = 5_500;

export class KpiEngine {
  readonly #cache: PeriodCache | null;
  readonly #store: PeriodStore | null;
  /** Per interval, its most recent recomputed period kept per user (OpenPeriodState). */
  readonly #open = new Map<KpiInterval, OpenPeriodState>();
  /** Per interval, the start of a most recent period found with more users than `maxOpenUsers`. */
  readonly #tooManyUsers = new Map<KpiInterval, number>();
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
    const storing = options.store ?? options.cache !== false;
    this.#store = storing
      ? new PeriodStore(options.writeDb ?? db, options.storedPeriods ?? defaultStoredPeriods)
      : null;
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

  /** How many users the interval's most recent period keeps per user (0 when none is kept). */
  openPeriodUsers(interval: KpiInterval): number {
    return this.#open.get(interval)?.userCount ?? 0;
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
    const { facts, computed, snapshot } = await this.db.transaction(async (tx) => {
      await tx.runScript(
        'kpi.repeatableRead',
        `SET TRANSACTION ISOLATION LEVEL REPEATABLE READ; ${withoutJit}`,
      );
      const now = this.#now().getTime();
      const change = await this.#cache?.sync(tx, now, this.#earliestOpenStart());
      if (change) this.#noteChange(change);
      const cached = periods.map((period) => this.#cache?.get(interval, period.start));
      if (!cached.includes(undefined)) return { facts: cached as PeriodFacts[], computed: [] };
      await this.#fillFromStore(tx, interval, periods, cached);
      const firstMissing = cached.indexOf(undefined);
      if (firstMissing === -1) return { facts: cached as PeriodFacts[], computed: [] };

      const snapshot = await this.#store?.snapshotOf(tx);
      const opening = await this.#openingOf(
        tx,
        interval,
        periods[firstMissing] as Period,
        cached[firstMissing - 1],
      );
      const computed =
        firstMissing === periods.length - 1 && this.#cache
          ? [await this.#lastPeriodFacts(tx, interval, periods[firstMissing] as Period, opening)]
          : await this.#computeRange(tx, periods.slice(firstMissing), opening);
      for (const period of computed) this.#cache?.set(interval, period);
      return {
        facts: [...(cached.slice(0, firstMissing) as PeriodFacts[]), ...computed],
        computed,
        snapshot,
      };
    });
    if (snapshot !== undefined && computed.length > 0) {
      // After the transaction: PGlite has one connection, and a row stored by a concurrent collector in a
      // newer snapshot must not turn this read-only transaction into a conflicting writer.
      await this.#store
        ?.save(interval, computed, snapshot)
        .catch((error: unknown) => this.options.onStoreError?.(error));
    }
    return facts;
  }

  /**
   * The last period of a request when it alone is missing — the open period after a write, usually: from
   * its users (movements, registrations, conversion) kept in memory, re-reading only those the writes
   * since named; built on first use.
   */
  async #lastPeriodFacts(
    tx: Queryable,
    interval: KpiInterval,
    period: Period,
    opening: Opening,
  ): Promise<PeriodFacts> {
    let state = this.#open.get(interval);
    const maxUsers = this.options.maxOpenUsers ?? defaultMaxOpenUsers;
    if (state?.period.start.getTime() === period.start.getTime()) {
      await state.refresh(tx);
    } else if (maxUsers > 0 && this.#tooManyUsers.get(interval) !== period.start.getTime()) {
      state = (await OpenPeriodState.build(tx, period, maxUsers)) ?? undefined;
      if (state) this.#open.set(interval, state);
      else {
        this.#open.delete(interval);
        // Not tried again for this period: reading its users costs as much as computing it whole.
        this.#tooManyUsers.set(interval, period.start.getTime());
      }
    } else {
      // An earlier period's users (the open period moved on to one not kept): no longer needed.
      if (state) this.#open.delete(interval);
      state = undefined;
    }
    if (!state) return ((await this.#computeRange(tx, [period], opening)) as PeriodFacts[])[0] as PeriodFacts;
    return assemblePeriod(period, opening, {
      registrations: state.registrations,
      conversionCohort: state.registrations,
      conversionConverted: state.converted,
      movements: state.movements(),
    });
  }

  #computeRange(tx: Queryable, periods: Period[], opening: Opening) {
    return computeRange(tx, periods, opening, this.options.movementSlices ?? defaultMovementSlices);
  }

  #earliestOpenStart(): Date | undefined {
    const starts = [...this.#open.values()].map((state) => state.period.start.getTime());
    return starts.length > 0 ? new Date(Math.min(...starts)) : undefined;
  }

  #noteChange(change: ChangeSummary): void {
    for (const [interval, state] of this.#open) {
      if (!state.note(change)) this.#open.delete(interval);
    }
  }

  /** Fills the gaps of `cached` with stored periods still valid in this snapshot (and remembers them). */
  async #fillFromStore(
    tx: Queryable,
    interval: KpiInterval,
    periods: readonly Period[],
    cached: (PeriodFacts | undefined)[],
  ): Promise<void> {
    if (!this.#store) return;
    const missing = periods.filter((_, index) => cached[index] === undefined);
    const stored = await this.#store.load(tx, interval, missing);
    periods.forEach((period, index) => {
      const facts = cached[index] ?? stored.get(period.start.getTime());
      if (facts && cached[index] === undefined) this.#cache?.set(interval, facts);
      cached[index] = facts;
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

  /** Hourly: stored periods the old log entries invalidate go first, then the entries (PeriodStore). */
  async #pruneChangeLog(): Promise<void> {
    const now = this.#now().getTime();
    if (!(this.#cache || this.#store) || now - this.#prunedAt < pruneEveryMs) return;
    this.#prunedAt = now;
    await (this.#store ?? new PeriodStore(this.options.writeDb ?? this.db)).prune();
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

/**
 * One pass over the rows of [first start, last end): movements (the costly part, in `slices` of the users
 * at once where it can), registrations and conversion per period.
 */
async function computeRange(tx: Queryable, periods: Period[], opening: Opening, slices: number) {
  const range: RangeParams = {
    bounds: periods.map((period) => period.start),
    rangeStart: (periods[0] as Period).start,
    rangeEnd: (periods.at(-1) as Period).end,
  };
  // Registrations and conversion are read alongside the movements (at once where they run in slices).
  const read = await readMovements(tx, range, slices, async (alongside) => ({
    registrations: await alongside.query(kpiQueries.registrations, range),
    conversion: await alongside.query(kpiQueries.conversion, range),
  }));
  const movements = byPeriodStart(read.movements);
  const registrations = byPeriodStart(read.alongside.registrations);
  const conversion = byPeriodStart(read.alongside.conversion);
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
