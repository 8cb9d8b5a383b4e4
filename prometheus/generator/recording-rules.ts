// Recording rules for panels and ad-hoc queries, named level:metric:operations, built from the expressions
// the collector's Prometheus health source runs (core/telemetry/promql.ts; the 5xx and bucket rates it has
// no function for use the same metric names, from agent-metric-names.ts). Per agent process
// (`instance`, `service_instance_id`) with its `service_version`, so a canary can be compared with the rest;
// totals are sums of these (and quantiles of the summed bucket rates — a quantile cannot be added up).
import { label, metric } from '../../core/telemetry/agent-metric-names.ts';
import { promql } from '../../core/telemetry/promql.ts';
import { instanceLabels, rateWindow } from './settings.ts';

export interface PromRecordingRule {
  readonly record: string;
  readonly expr: string;
}

const perInstance = [...instanceLabels, label.version];
const perRoute = [...perInstance, label.route];
const by = (labels: readonly string[]) => `by (${labels.join(', ')})`;

export function recordingRules(): PromRecordingRule[] {
  const rate = `rate${rateWindow}`;
  return [
    { record: `pledgr:http_requests:${rate}`, expr: promql.requestsPerSecond(perRoute, rateWindow) },
    {
      record: `pledgr:http_server_errors:${rate}`,
      expr: `sum ${by(perRoute)} (rate(${metric.httpDuration}_count{${label.status}=~"5.."}[${rateWindow}]))`,
    },
    { record: `pledgr:http_errors:ratio_${rate}`, expr: promql.errorRatio(perInstance, rateWindow) },
    {
      record: `pledgr:http_server_request_duration_bucket:${rate}`,
      expr: `sum ${by(['le', ...perInstance])} (rate(${metric.httpDuration}_bucket[${rateWindow}]))`,
    },
    ...[0.5, 0.95, 0.99].map((q) => ({
      record: `pledgr:http_server_request_duration:p${q * 100}_${rate}`,
      expr: promql.latencyQuantile(q, perInstance, rateWindow),
    })),
    { record: `pledgr:db_query_duration:p95_${rate}`, expr: promql.dbQueryP95(perInstance, rateWindow) },
    {
      record: 'pledgr:db_pool_used:ratio',
      expr: `${promql.poolUsed(perInstance)} / ${promql.poolMax(perInstance)}`,
    },
    { record: 'pledgr:db_pool_pending:sum', expr: promql.poolPending(perInstance) },
    { record: 'pledgr:heap_used_bytes:sum', expr: promql.heapUsedBytes(perInstance) },
    { record: 'pledgr:rss_bytes:sum', expr: promql.rssBytes(perInstance) },
    { record: 'pledgr:eventloop_delay_p99:max', expr: promql.eventLoopP99(perInstance) },
    {
      record: `pledgr:rate_limit_rejections:${rate}`,
      expr: promql.rateLimitRejectionsPerSecond([...perInstance, label.limiter], rateWindow),
    },
  ];
}
