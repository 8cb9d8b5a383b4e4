// Where the SLO report's and the burn-rate alerts' window counts come from: the built-in scraper (its fine
// steps for HEALTH_RETENTION, then its per-minute SLO ledger up to 3 days: scrape-traffic-source.ts) or
// Prometheus (PROMETHEUS_URL; as far back as Prometheus keeps data).

import { sloPromql } from '../../core/slo/slo-promql.ts';
import { promDuration } from '../../core/telemetry/promql.ts';
import type { PrometheusClient } from '../health/prometheus-client.ts';
import type { WindowTraffic } from './window-traffic.ts';

export interface TrafficSource {
  readonly kind: 'scrape' | 'prometheus';
  /** The longest window it can count over, in seconds; null: Prometheus, whose own retention decides. */
  readonly retentionSeconds: number | null;
  traffic(windowSeconds: number, latencyThresholds: readonly number[]): Promise<WindowTraffic>;
  /**
   * How many seconds of the window it holds counts for: less than the window while the collector has not
   * been counting that long (its counts are in memory). Absent: not known (Prometheus).
   */
  coverageSeconds?(windowSeconds: number): number;
}

export function prometheusTrafficSource(
  client: PrometheusClient,
  now: () => number = Date.now,
): TrafficSource {
  return {
    kind: 'prometheus',
    retentionSeconds: null,
    async traffic(windowSeconds, latencyThresholds) {
      const range = promDuration(windowSeconds);
      const at = now() / 1000;
      const count = async (expr: string) => (await client.query(expr, at))[0]?.value ?? 0;
      const [requests, serverErrors, pledgeWrites, pledgeWritesSucceeded, ...faster] = await Promise.all([
        count(sloPromql.requests(range)),
        count(sloPromql.serverErrors(range)),
        count(sloPromql.pledgeWrites(range)),
        count(sloPromql.pledgeWritesSucceeded(range)),
        ...latencyThresholds.map((le) => count(sloPromql.fasterThan(le, range))),
      ]);
      return {
        requests: requests as number,
        serverErrors: serverErrors as number,
        pledgeWrites: pledgeWrites as number,
        pledgeWritesSucceeded: pledgeWritesSucceeded as number,
        latency: latencyThresholds.map((le, i) => ({ le, count: faster[i] as number })),
      };
    },
  };
}
