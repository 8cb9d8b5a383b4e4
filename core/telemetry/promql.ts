// The PromQL equivalents of the collector's scraper derivations, in one place, on the agent's metric names
// (agent-metric-names.ts): the collector's Prometheus health source runs them, and the generated Prometheus
// recording/alert rules (prometheus/generator/) and the Grafana panels (grafana/) are written from them.
// `by` is the list of labels to keep (`['service_instance_id']` per instance, `[]` for the total); `range` is
// the rate window, which must span at least four scrape intervals (Prometheus needs two samples; four
// tolerates a missed one).
import { label, metric, profileCache } from './agent-metric-names.ts';

export type Grouping = readonly string[];

const by = (labels: Grouping) => (labels.length > 0 ? ` by (${labels.join(', ')})` : '');
const requests = `${metric.httpDuration}_count`;
const serverErrors = `${requests}{${label.status}=~"5.."}`;
const cacheLookups = `${metric.cacheLookups}{${label.cache}="${profileCache}"}`;
const cacheHits = `${metric.cacheLookups}{${label.cache}="${profileCache}",${label.cacheResult}="hit"}`;

const rate = (series: string, g: Grouping, range: string) => `sum${by(g)} (rate(${series}[${range}]))`;
const quantile = (q: number, histogram: string, g: Grouping, range: string) =>
  `histogram_quantile(${q}, sum${by(['le', ...g])} (rate(${histogram}_bucket[${range}])))`;

export const promql = {
  /** Requests per second (HTTP server request count). */
  requestsPerSecond: (g: Grouping, range: string) => rate(requests, g, range),
  /** 5xx / all; 0 when there were requests but no 5xx series yet, NaN (null) when there were no requests. */
  errorRatio: (g: Grouping, range: string) =>
    `(${rate(serverErrors, g, range)} or ${rate(requests, g, range)} * 0) / ${rate(requests, g, range)}`,
  latencyQuantile: (q: number, g: Grouping, range: string) => quantile(q, metric.httpDuration, g, range),
  /** p95 of query duration by query name (db_query_summary). */
  dbQueryP95: (g: Grouping, range: string) =>
    quantile(0.95, metric.dbDuration, [label.querySummary, ...g], range),
  poolUsed: (g: Grouping) => `sum${by(g)} (${metric.poolConnections}{${label.connectionState}="used"})`,
  poolIdle: (g: Grouping) => `sum${by(g)} (${metric.poolConnections}{${label.connectionState}="idle"})`,
  poolPending: (g: Grouping) => `sum${by(g)} (${metric.poolPending})`,
  poolMax: (g: Grouping) => `sum${by(g)} (${metric.poolMax})`,
  heapUsedBytes: (g: Grouping) => `sum${by(g)} (${metric.heapUsed})`,
  rssBytes: (g: Grouping) => `sum${by(g)} (${metric.rss})`,
  /** The worst instance's event-loop delay p99 (a quantile cannot be added up). */
  eventLoopP99: (g: Grouping) => `max${by(g)} (${metric.eventLoopP99})`,
  rateLimitRejectionsPerSecond: (g: Grouping, range: string) => rate(metric.rateLimitRejections, g, range),
  /** Profile-cache look-ups per second; no series (null) where no instance has the cache. */
  cacheLookupsPerSecond: (g: Grouping, range: string) => rate(cacheLookups, g, range),
  /** Profile-cache hits ÷ all look-ups; NaN (null) when there were none, no series without the cache. */
  cacheHitRatio: (g: Grouping, range: string) =>
    `${rate(cacheHits, g, range)} / ${rate(cacheLookups, g, range)}`,
  /** Profile-cache look-ups by result over a window (instant query): the window's hit ratio. */
  cacheLookupsIncrease: (range: string) =>
    `sum by (${label.cacheResult}) (increase(${cacheLookups}[${range}]))`,

  /** Window totals for the canary comparison (instant queries over the whole window). */
  requestsIncrease: (g: Grouping, range: string) => `sum${by(g)} (increase(${requests}[${range}]))`,
  serverErrorsIncrease: (g: Grouping, range: string) => `sum${by(g)} (increase(${serverErrors}[${range}]))`,
  latencyBucketsIncrease: (g: Grouping, range: string) =>
    `sum${by(['le', ...g])} (increase(${metric.httpDuration}_bucket[${range}]))`,

  /** One series per agent instance with its deployment labels and Prometheus target (job, instance). */
  instanceInfo: () =>
    `group by (${label.instance}, ${label.version}, ${label.color}, ${label.canary}, job, instance) (${metric.rss})`,
} as const;

/** A duration in seconds as PromQL writes it (`15s`, `60s`). */
export function promDuration(seconds: number): string {
  return `${Math.max(1, Math.round(seconds))}s`;
}
