// The SLIs' event counts in PromQL over a window: what the collector asks Prometheus for GET /api/slo, and
// what the generated recording rules record — so both count exactly what the scraper counts
// (core/slo/slo-events.ts): all requests, 5xx, requests at or under the latency bound, pledge writes.

import { label, metric } from '../telemetry/agent-metric-names.ts';
import { pledgeWriteMethods, pledgeWriteRoutes, type SliKind } from './slo-catalog.ts';

const requests = `${metric.httpDuration}_count`;
const pledgeWriteSelector = `${label.method}=~"${pledgeWriteMethods.join('|')}",${label.route}=~"${pledgeWriteRoutes.join('|')}"`;
const increase = (series: string, range: string) => `sum(increase(${series}[${range}]))`;

export const sloPromql = {
  requests: (range: string) => increase(requests, range),
  serverErrors: (range: string) => increase(`${requests}{${label.status}=~"5.."}`, range),
  /** The cumulative bucket of the latency threshold: requests answered at or under it. */
  fasterThan: (thresholdSeconds: number, range: string) =>
    increase(`${metric.httpDuration}_bucket{le="${thresholdSeconds}"}`, range),
  /** Pledge writes except 4xx (the client's own mistakes). */
  pledgeWrites: (range: string) =>
    increase(`${requests}{${pledgeWriteSelector},${label.status}!~"4.."}`, range),
  pledgeWritesSucceeded: (range: string) =>
    increase(`${requests}{${pledgeWriteSelector},${label.status}=~"2.."}`, range),
} as const;

/**
 * An SLI's bad and total events over a window in PromQL: core/slo/slo-events.ts `sloEvents` over the counts
 * above. A count whose series do not exist (no 5xx yet) is 0, as the collector reads a missing answer; the
 * total stays absent then, so a window without traffic has no ratio. For the recording rules.
 */
export function sloEventsPromql(
  sli: SliKind,
  range: string,
): { readonly total: string; readonly bad: string } {
  const orZero = (expr: string) => `(${expr} or vector(0))`;
  const shortfall = (total: string, good: string) => `clamp_min(${total} - ${orZero(good)}, 0)`;
  switch (sli.kind) {
    case 'availability':
      return { total: sloPromql.requests(range), bad: orZero(sloPromql.serverErrors(range)) };
    case 'latency':
      return {
        total: sloPromql.requests(range),
        bad: shortfall(sloPromql.requests(range), sloPromql.fasterThan(sli.thresholdSeconds, range)),
      };
    case 'pledgeWrites':
      return {
        total: sloPromql.pledgeWrites(range),
        bad: shortfall(sloPromql.pledgeWrites(range), sloPromql.pledgeWritesSucceeded(range)),
      };
  }
}
