// One scrape interval of one instance: counter deltas per series (reset-aware, summed afterwards like
// `sum(increase(...))`), and the HealthPoint derived from one or several such steps — several being the total
// over all instances, computed from summed deltas and never by averaging quantiles.
import { addBucket, addBuckets, type BucketSums, toBuckets } from './bucket-counts.ts';
import { counterIncrease, perSecond, ratio } from './counter-delta.ts';
import type { InstanceGauges, InstanceSnapshot } from './exposition.ts';
import { getOrCreate } from './get-or-create.ts';
import { histogramQuantile } from './histogram-quantile.ts';
import type { HealthPoint } from './types.ts';

/** What one instance's counters grew by between two scrapes `seconds` apart. */
export interface StepDeltas {
  readonly seconds: number;
  readonly requests: number;
  readonly serverErrors: number;
  /** Pledge writes not answered 4xx, and those answered 2xx (the pledge-writes SLO). */
  readonly pledgeWrites: number;
  readonly pledgeWritesSucceeded: number;
  readonly latency: BucketSums;
  readonly dbLatency: ReadonlyMap<string, BucketSums>;
  /** null when the instance serves no rate-limit counter (as PromQL answers nothing for it). */
  readonly rejections: number | null;
  /** Profile-cache look-ups by result; null when the instance serves no cache counter (no REDIS_URL). */
  readonly cache: CacheCounts | null;
}

export interface CacheCounts {
  readonly hits: number;
  readonly misses: number;
  readonly errors: number;
}

/** Adds cache counts; null only when every part is null (no instance has the cache). */
export function addCacheCounts(parts: readonly (CacheCounts | null)[]): CacheCounts | null {
  let sum: { hits: number; misses: number; errors: number } | null = null;
  for (const part of parts) {
    if (part === null) continue;
    sum ??= { hits: 0, misses: 0, errors: 0 };
    sum.hits += part.hits;
    sum.misses += part.misses;
    sum.errors += part.errors;
  }
  return sum;
}

export const cacheLookupCount = (counts: CacheCounts) => counts.hits + counts.misses + counts.errors;

/**
 * Deltas from `previous` to `current`, per series: a series that went down was reset (the delta is its new
 * value); a series absent before appeared since the previous scrape, so all of its count is new.
 */
export function stepBetween(
  previous: InstanceSnapshot,
  current: InstanceSnapshot,
  seconds: number,
): StepDeltas {
  let requests = 0;
  let serverErrors = 0;
  let pledgeWrites = 0;
  let pledgeWritesSucceeded = 0;
  let rejections: number | null = null;
  let cache: { hits: number; misses: number; errors: number } | null = null;
  const latency: BucketSums = new Map();
  const dbLatency = new Map<string, BucketSums>();
  for (const [key, series] of current.counters) {
    const before = previous.counters.get(key);
    const delta = before === undefined ? series.value : counterIncrease(before.value, series.value);
    switch (series.kind) {
      case 'httpBucket':
        addBucket(latency, series.le, delta);
        break;
      case 'httpCount':
        requests += delta;
        if (series.serverError) serverErrors += delta;
        if (series.pledgeWrite !== undefined && series.pledgeWrite !== 'excluded') pledgeWrites += delta;
        if (series.pledgeWrite === 'succeeded') pledgeWritesSucceeded += delta;
        break;
      case 'dbBucket': {
        addBucket(
          getOrCreate(dbLatency, series.query, () => new Map()),
          series.le,
          delta,
        );
        break;
      }
      case 'rejections':
        rejections = (rejections ?? 0) + delta;
        break;
      case 'cacheLookups':
        cache ??= { hits: 0, misses: 0, errors: 0 };
        if (series.result === 'hit') cache.hits += delta;
        else if (series.result === 'miss') cache.misses += delta;
        else cache.errors += delta;
        break;
    }
  }
  return {
    seconds,
    requests,
    serverErrors,
    pledgeWrites,
    pledgeWritesSucceeded,
    latency,
    dbLatency,
    rejections,
    cache,
  };
}

/** One instance's contribution to a point: its gauges, and its deltas unless this was its first scrape. */
export interface PointPart {
  readonly gauges: InstanceGauges;
  readonly step: StepDeltas | null;
}

function sumOrNull(values: readonly (number | null)[]): number | null {
  const present = values.filter((value): value is number => value !== null);
  return present.length === 0 ? null : present.reduce((a, b) => a + b, 0);
}

/**
 * The point at `t` from one or more instances. Rates add up per instance (each over its own interval),
 * the error ratio and quantiles come from summed deltas, gauges add up, and the event-loop p99 is the worst.
 */
export function pointFromParts(t: number, parts: readonly PointPart[]): HealthPoint {
  const steps = parts.map((part) => part.step).filter((step): step is StepDeltas => step !== null);
  const latency: BucketSums = new Map();
  const dbLatency = new Map<string, BucketSums>();
  let requests = 0;
  let serverErrors = 0;
  for (const step of steps) {
    requests += step.requests;
    serverErrors += step.serverErrors;
    for (const [le, count] of step.latency) addBucket(latency, le, count);
    for (const [query, sums] of step.dbLatency) {
      addBuckets(
        getOrCreate(dbLatency, query, () => new Map()),
        toBuckets(sums),
      );
    }
  }
  const rate = (pick: (step: StepDeltas) => number | null) =>
    sumOrNull(
      steps.map((step) => {
        const increase = pick(step);
        return increase === null ? null : perSecond(increase, step.seconds);
      }),
    );
  const latencyBuckets = toBuckets(latency);
  const dbQueryP95: Record<string, number> = {};
  for (const [query, sums] of [...dbLatency].sort(([a], [b]) => a.localeCompare(b))) {
    const p95 = histogramQuantile(0.95, toBuckets(sums));
    if (p95 !== null) dbQueryP95[query] = p95;
  }
  const cache = addCacheCounts(steps.map((step) => step.cache));
  const gauges = parts.map((part) => part.gauges);
  const loop = gauges.map((g) => g.eventLoopP99).filter((value): value is number => value !== null);
  return {
    t,
    requestsPerSecond: rate((step) => step.requests),
    errorRatio: steps.length === 0 ? null : ratio(serverErrors, requests),
    latencyP50: histogramQuantile(0.5, latencyBuckets),
    latencyP95: histogramQuantile(0.95, latencyBuckets),
    latencyP99: histogramQuantile(0.99, latencyBuckets),
    dbQueryP95,
    poolUsed: sumOrNull(gauges.map((g) => g.poolUsed)),
    poolIdle: sumOrNull(gauges.map((g) => g.poolIdle)),
    poolPending: sumOrNull(gauges.map((g) => g.poolPending)),
    poolMax: sumOrNull(gauges.map((g) => g.poolMax)),
    heapUsedBytes: sumOrNull(gauges.map((g) => g.heapUsedBytes)),
    rssBytes: sumOrNull(gauges.map((g) => g.rssBytes)),
    eventLoopP99: loop.length === 0 ? null : Math.max(...loop),
    rateLimitRejectionsPerSecond: rate((step) => step.rejections),
    cacheLookupsPerSecond: rate((step) => (step.cache ? cacheLookupCount(step.cache) : null)),
    cacheHitRatio: cache ? ratio(cache.hits, cacheLookupCount(cache)) : null,
  };
}
