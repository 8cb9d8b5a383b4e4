// The health source backed by Prometheus: the same HealthReport as the scraper, read through /api/v1/query_range
// with the expressions of promql.ts (step = scrape interval), per instance and in total; the canary comparison
// from `increase` over the whole window, judged by the same function as the scraper's.

import { label } from '../../core/telemetry/agent-metric-names.ts';
import { type Grouping, promDuration, promql } from '../../core/telemetry/promql.ts';
import { type CanaryMember, type CanaryOptions, compareCanary, defaultCanaryOptions } from './canary.ts';
import { getOrCreate } from './get-or-create.ts';
import { pollLoop } from './poll-loop.ts';
import { createPrometheusClient, type PrometheusClient, type RangeSeries } from './prometheus-client.ts';
import type { HealthPoint, HealthReport, HealthSource, InstanceHealth, ProfileCacheWindow } from './types.ts';

export interface PrometheusSettings {
  /** Prometheus base URL (`http://127.0.0.1:9090`). */
  readonly url: string;
  /** Step of range queries and period of the live poll; the Prometheus scrape interval. */
  readonly intervalMs: number;
  /** Rate window in seconds (default: four intervals, at least 60 s as in the rules). */
  readonly rateWindowSeconds?: number;
  /** The longest window a report may ask for. */
  readonly retentionMs: number;
  readonly timeoutMs?: number;
  readonly canary?: CanaryOptions;
}

type ScalarField = Exclude<keyof HealthPoint, 't' | 'dbQueryP95'>;
type Mutable<T> = { -readonly [K in keyof T]: T[K] };

const emptyPoint = (t: number): Mutable<HealthPoint> & { dbQueryP95: Record<string, number> } => ({
  t,
  requestsPerSecond: null,
  errorRatio: null,
  latencyP50: null,
  latencyP95: null,
  latencyP99: null,
  dbQueryP95: {},
  poolUsed: null,
  poolIdle: null,
  poolPending: null,
  poolMax: null,
  heapUsedBytes: null,
  rssBytes: null,
  eventLoopP99: null,
  rateLimitRejectionsPerSecond: null,
  cacheLookupsPerSecond: null,
  cacheHitRatio: null,
});

function scalarQueries(range: string): readonly (readonly [ScalarField, (g: Grouping) => string])[] {
  return [
    ['requestsPerSecond', (g) => promql.requestsPerSecond(g, range)],
    ['errorRatio', (g) => promql.errorRatio(g, range)],
    ['latencyP50', (g) => promql.latencyQuantile(0.5, g, range)],
    ['latencyP95', (g) => promql.latencyQuantile(0.95, g, range)],
    ['latencyP99', (g) => promql.latencyQuantile(0.99, g, range)],
    ['poolUsed', promql.poolUsed],
    ['poolIdle', promql.poolIdle],
    ['poolPending', promql.poolPending],
    ['poolMax', promql.poolMax],
    ['heapUsedBytes', promql.heapUsedBytes],
    ['rssBytes', promql.rssBytes],
    ['eventLoopP99', promql.eventLoopP99],
    ['rateLimitRejectionsPerSecond', (g) => promql.rateLimitRejectionsPerSecond(g, range)],
    ['cacheLookupsPerSecond', (g) => promql.cacheLookupsPerSecond(g, range)],
    ['cacheHitRatio', (g) => promql.cacheHitRatio(g, range)],
  ];
}

/** Points by time, created when a first sample for that time arrives: no sample, no point. */
class PointSeries {
  readonly points = new Map<number, ReturnType<typeof emptyPoint>>();
  at(seconds: number) {
    const t = Math.round(seconds * 1000);
    return getOrCreate(this.points, t, () => emptyPoint(t));
  }
  sorted(): HealthPoint[] {
    return [...this.points.values()].sort((a, b) => a.t - b.t);
  }
}

interface Assembled {
  readonly total: HealthPoint[];
  readonly instances: InstanceHealth[];
  readonly firstSeen: ReadonlyMap<string, number>;
}

export interface PrometheusSource extends HealthSource {
  readonly kind: 'prometheus';
  /** One poll now (the timer calls it; tests call it directly). */
  pollOnce(): Promise<void>;
}

export function createPrometheusSource(
  settings: PrometheusSettings,
  client: PrometheusClient = createPrometheusClient(settings.url, settings.timeoutMs),
  now: () => number = Date.now,
): PrometheusSource {
  const stepSeconds = settings.intervalMs / 1000;
  const rateRange = promDuration(settings.rateWindowSeconds ?? Math.max(60, 4 * stepSeconds));
  const perInstance: Grouping = [label.instance];
  const listeners = new Set<(latest: HealthPoint | null) => void>();
  let lastSuccessAt: number | null = null;
  let latest: Awaited<ReturnType<HealthSource['latest']>> = null;

  async function assemble(start: number, end: number): Promise<Assembled> {
    const range = (expr: string) => client.queryRange(expr, start, end, stepSeconds);
    const total = new PointSeries();
    const byInstance = new Map<string, PointSeries>();
    const seriesOf = (metric: Readonly<Record<string, string>>) => {
      const id = metric[label.instance] ?? 'unlabelled';
      return getOrCreate(byInstance, id, () => new PointSeries());
    };
    const fill = (
      answer: RangeSeries[],
      pick: (metric: Readonly<Record<string, string>>) => PointSeries,
      write: (
        point: ReturnType<typeof emptyPoint>,
        metric: Readonly<Record<string, string>>,
        value: number,
      ) => void,
    ) => {
      for (const series of answer) {
        const target = pick(series.metric);
        for (const [t, value] of series.values) {
          const point = target.at(t);
          if (value !== null) write(point, series.metric, value);
        }
      }
    };
    const scalar = scalarQueries(rateRange).map(async ([field, expr]) => {
      const [instances, all] = await Promise.all([range(expr(perInstance)), range(expr([]))]);
      const write = (point: ReturnType<typeof emptyPoint>, _m: unknown, value: number) => {
        point[field] = value;
      };
      fill(instances, seriesOf, write);
      fill(all, () => total, write);
    });
    const db = (async () => {
      const [instances, all] = await Promise.all([
        range(promql.dbQueryP95(perInstance, rateRange)),
        range(promql.dbQueryP95([], rateRange)),
      ]);
      const write = (
        point: ReturnType<typeof emptyPoint>,
        metric: Readonly<Record<string, string>>,
        value: number,
      ) => {
        point.dbQueryP95[metric[label.querySummary] ?? 'unnamed'] = value;
      };
      fill(instances, seriesOf, write);
      fill(all, () => total, write);
    })();
    const [info] = await Promise.all([range(promql.instanceInfo()), ...scalar, db]);

    const firstSeen = new Map<string, number>();
    const described = new Map<string, InstanceHealth>();
    for (const series of info) {
      const id = series.metric[label.instance] ?? 'unlabelled';
      const times = series.values.map(([t]) => t * 1000);
      if (times.length === 0) continue;
      const first = Math.min(...times);
      const last = Math.max(...times);
      firstSeen.set(id, Math.min(firstSeen.get(id) ?? first, first));
      const previous = described.get(id);
      if (previous && (previous.lastSeen ?? 0) > last) continue;
      described.set(id, {
        instance: id,
        version: series.metric[label.version] ?? null,
        color: series.metric[label.color] ?? null,
        canary: series.metric[label.canary] === 'true',
        target: `${series.metric.job ?? 'job'}/${series.metric.instance ?? 'instance'}`,
        up: last >= end * 1000,
        lastSeen: last,
        points: [],
      });
    }
    for (const id of byInstance.keys()) {
      if (!described.has(id)) {
        described.set(id, {
          instance: id,
          version: null,
          color: null,
          canary: false,
          target: 'unknown',
          up: false,
          lastSeen: null,
          points: [],
        });
      }
    }
    const instances = [...described.values()]
      .map((instance) => ({ ...instance, points: byInstance.get(instance.instance)?.sorted() ?? [] }))
      .sort((a, b) => a.instance.localeCompare(b.instance));
    return { total: total.sorted(), instances, firstSeen };
  }

  async function canaryMembers(
    instances: readonly InstanceHealth[],
    firstSeen: ReadonlyMap<string, number>,
    end: number,
    windowSeconds: number,
  ): Promise<CanaryMember[]> {
    const window = promDuration(windowSeconds);
    const [requests, errors, buckets] = await Promise.all([
      client.query(promql.requestsIncrease(perInstance, window), end),
      client.query(promql.serverErrorsIncrease(perInstance, window), end),
      client.query(promql.latencyBucketsIncrease(perInstance, window), end),
    ]);
    const valueFor = (answer: typeof requests, id: string) =>
      answer.find((sample) => sample.metric[label.instance] === id)?.value ?? 0;
    return instances.map((instance) => ({
      version: instance.version,
      color: instance.color,
      canary: instance.canary,
      firstSeen: firstSeen.get(instance.instance) ?? 0,
      stats: {
        seconds: windowSeconds,
        requests: valueFor(requests, instance.instance),
        serverErrors: valueFor(errors, instance.instance),
        latency: buckets
          .filter((sample) => sample.metric[label.instance] === instance.instance && sample.value !== null)
          .map((sample) => ({
            le: Number(sample.metric.le === '+Inf' ? Number.POSITIVE_INFINITY : sample.metric.le),
            count: sample.value as number,
          })),
      },
    }));
  }

  /** The profile cache over the window: look-ups by result; null when Prometheus has no such series. */
  async function cacheWindow(end: number, windowSeconds: number): Promise<ProfileCacheWindow | null> {
    const answer = await client.query(promql.cacheLookupsIncrease(promDuration(windowSeconds)), end);
    if (answer.length === 0) return null;
    const of = (result: string) =>
      answer.find((sample) => sample.metric[label.cacheResult] === result)?.value ?? 0;
    const [hits, misses, errors] = [of('hit'), of('miss'), of('error')];
    const lookups = hits + misses + errors;
    return { hits, misses, errors, lookups, hitRatio: lookups > 0 ? hits / lookups : null };
  }

  const alignedNow = () => Math.floor(now() / 1000 / stepSeconds) * stepSeconds;

  async function poll(): Promise<void> {
    try {
      const end = alignedNow();
      const { total, instances } = await assemble(end, end);
      lastSuccessAt = now();
      const newest = total.at(-1);
      latest = newest
        ? {
            total: newest,
            lastSuccessAt,
            instances: instances.map((i) => ({ ...i, points: i.points.slice(-1) })),
          }
        : null;
      for (const listener of listeners) listener(newest ?? null);
    } catch {
      for (const listener of listeners) listener(null);
    }
  }

  const loop = pollLoop(settings.intervalMs, poll);
  const source: PrometheusSource = {
    kind: 'prometheus',
    start: loop.start,
    stop: loop.stop,
    pollOnce: poll,
    async report(windowSeconds): Promise<HealthReport> {
      const seconds = Math.min(windowSeconds, settings.retentionMs / 1000);
      const end = alignedNow();
      const { total, instances, firstSeen } = await assemble(end - seconds, end);
      lastSuccessAt = now();
      const [members, profileCache] = await Promise.all([
        canaryMembers(instances, firstSeen, end, seconds),
        cacheWindow(end, seconds),
      ]);
      return {
        source: 'prometheus',
        windowSeconds: seconds,
        stepSeconds,
        generatedAt: now(),
        lastSuccessAt,
        total,
        instances,
        canary: compareCanary(members, settings.canary ?? defaultCanaryOptions),
        profileCache,
      };
    },
    async latest() {
      return latest;
    },
    onTick(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
  return source;
}
