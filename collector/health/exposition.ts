// Reads an agent's Prometheus exposition text (through prom2javascript) into one cumulative snapshot per
// service instance: every counter series (histogram buckets and counts, rate-limit rejections) by a stable
// key, so deltas can be taken per series like Prometheus does, and the gauges the health point needs. The
// profile cache's look-ups count as counter series too, by result.

import {
  getMetricsFromIterator,
  type PromData,
  type PromHistogramData,
  type PromLabels,
  type PromMetrics,
} from 'prom2javascript';
import { pledgeWriteOutcome } from '../../core/slo/slo-events.ts';
import { label, metric, profileCache } from '../../core/telemetry/agent-metric-names.ts';
import type { HealthPoint } from './types.ts';

/** A counter series the step derivation adds up: what it counts, and the cumulative value at the scrape. */
export type CounterSeries =
  | { readonly kind: 'httpBucket'; readonly le: number; readonly value: number }
  | {
      readonly kind: 'httpCount';
      readonly serverError: boolean;
      /** For the pledge-writes SLO (core/slo/slo-events.ts); absent counts as 'excluded'. */
      readonly pledgeWrite?: ReturnType<typeof pledgeWriteOutcome>;
      readonly value: number;
    }
  | { readonly kind: 'dbBucket'; readonly query: string; readonly le: number; readonly value: number }
  | { readonly kind: 'rejections'; readonly value: number }
  | { readonly kind: 'cacheLookups'; readonly result: CacheResult; readonly value: number };

export type CacheResult = 'hit' | 'miss' | 'error';
const cacheResults: ReadonlySet<string> = new Set<CacheResult>(['hit', 'miss', 'error']);

/** The gauge fields of a health point, as one instance's scrape gives them. */
export type InstanceGauges = Pick<
  HealthPoint,
  'poolUsed' | 'poolIdle' | 'poolPending' | 'poolMax' | 'heapUsedBytes' | 'rssBytes' | 'eventLoopP99'
>;

export interface InstanceSnapshot {
  readonly instance: string;
  readonly version: string | null;
  readonly color: string | null;
  readonly canary: boolean;
  readonly counters: ReadonlyMap<string, CounterSeries>;
  readonly gauges: InstanceGauges;
}

/**
 * prom2javascript 0.2.0 accepts only finite numbers and +Inf as sample values and rejects the whole text on
 * anything else; the OpenTelemetry exporter writes `NaN` (e.g. an event-loop statistic before any sample)
 * and could write `-Inf`. Those samples carry no usable value, so their lines are dropped before parsing.
 */
const unparsableValue = /\s(?:NaN|-Inf)(?:\s+-?\d+)?\s*$/i;

export async function parseExposition(text: string): Promise<PromMetrics> {
  const lines = text.split('\n').filter((line) => !unparsableValue.test(line));
  return getMetricsFromIterator(lines[Symbol.iterator]());
}

function seriesKey(name: string, labels: PromLabels): string {
  return `${name}{${Object.keys(labels)
    .sort()
    .map((key) => `${key}=${JSON.stringify(labels[key])}`)
    .join(',')}}`;
}

function parseLe(text: string): number {
  return text === '+Inf' ? Number.POSITIVE_INFINITY : Number(text);
}

interface Builder {
  readonly instance: string;
  version: string | null;
  color: string | null;
  canary: boolean;
  readonly counters: Map<string, CounterSeries>;
  readonly gauges: { -readonly [K in keyof InstanceGauges]: InstanceGauges[K] };
}

/** Splits parsed families into snapshots by service_instance_id (a series without one belongs to `fallbackInstance`). */
export function snapshotsFrom(families: PromMetrics, fallbackInstance: string): InstanceSnapshot[] {
  const builders = new Map<string, Builder>();
  const builderFor = (labels: PromLabels): Builder => {
    const instance = labels[label.instance] ?? fallbackInstance;
    let builder = builders.get(instance);
    if (!builder) {
      builder = {
        instance,
        version: null,
        color: null,
        canary: false,
        counters: new Map(),
        gauges: {
          poolUsed: null,
          poolIdle: null,
          poolPending: null,
          poolMax: null,
          heapUsedBytes: null,
          rssBytes: null,
          eventLoopP99: null,
        },
      };
      builders.set(instance, builder);
    }
    builder.version ??= labels[label.version] ?? null;
    builder.color ??= labels[label.color] ?? null;
    if (labels[label.canary] === 'true') builder.canary = true;
    return builder;
  };

  const histograms = (name: string) => (families[name]?.data ?? []) as PromHistogramData[];
  const values = (name: string) => (families[name]?.data ?? []) as PromData[];

  for (const series of histograms(metric.httpDuration)) {
    const builder = builderFor(series.labels);
    const key = seriesKey(metric.httpDuration, series.labels);
    for (const [le, value] of Object.entries(series.buckets)) {
      builder.counters.set(`${key}le=${le}`, { kind: 'httpBucket', le: parseLe(le), value });
    }
    const serverError = (series.labels[label.status] ?? '').startsWith('5');
    const pledgeWrite = pledgeWriteOutcome(
      series.labels[label.method],
      series.labels[label.route],
      series.labels[label.status],
    );
    builder.counters.set(`${key}count`, { kind: 'httpCount', serverError, pledgeWrite, value: series.count });
  }
  for (const series of histograms(metric.dbDuration)) {
    const builder = builderFor(series.labels);
    const key = seriesKey(metric.dbDuration, series.labels);
    const query = series.labels[label.querySummary] ?? 'unnamed';
    for (const [le, value] of Object.entries(series.buckets)) {
      builder.counters.set(`${key}le=${le}`, { kind: 'dbBucket', query, le: parseLe(le), value });
    }
  }
  for (const sample of values(metric.rateLimitRejections)) {
    builderFor(sample.labels).counters.set(seriesKey(metric.rateLimitRejections, sample.labels), {
      kind: 'rejections',
      value: sample.value,
    });
  }

  for (const sample of values(metric.cacheLookups)) {
    const result = sample.labels[label.cacheResult] ?? '';
    if (sample.labels[label.cache] !== profileCache || !cacheResults.has(result)) continue;
    builderFor(sample.labels).counters.set(seriesKey(metric.cacheLookups, sample.labels), {
      kind: 'cacheLookups',
      result: result as CacheResult,
      value: sample.value,
    });
  }

  const sumGauge = (name: string, field: keyof InstanceGauges, match?: [string, string]) => {
    for (const sample of values(name)) {
      if (match && sample.labels[match[0]] !== match[1]) continue;
      const gauges = builderFor(sample.labels).gauges;
      gauges[field] = (gauges[field] ?? 0) + sample.value;
    }
  };
  sumGauge(metric.poolConnections, 'poolUsed', [label.connectionState, 'used']);
  sumGauge(metric.poolConnections, 'poolIdle', [label.connectionState, 'idle']);
  sumGauge(metric.poolPending, 'poolPending');
  sumGauge(metric.poolMax, 'poolMax');
  sumGauge(metric.heapUsed, 'heapUsedBytes');
  sumGauge(metric.rss, 'rssBytes');
  for (const sample of values(metric.eventLoopP99)) {
    const gauges = builderFor(sample.labels).gauges;
    gauges.eventLoopP99 = Math.max(gauges.eventLoopP99 ?? 0, sample.value);
  }
  return [...builders.values()];
}
