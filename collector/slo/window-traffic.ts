// Request counts over one window, all agents together, as both health sources can give them: the scraper
// sums its stored step deltas, Prometheus answers `increase` over the window. The SLO report turns them
// into each SLI's good and bad events (core/slo/slo-events.ts).
import type { TrafficCounts } from '../../core/slo/slo-events.ts';
import type { Bucket } from '../health/histogram-quantile.ts';

export interface WindowTraffic {
  readonly requests: number;
  readonly serverErrors: number;
  /** Cumulative latency buckets (le → requests at or under it). */
  readonly latency: readonly Bucket[];
  readonly pledgeWrites: number;
  readonly pledgeWritesSucceeded: number;
}

/** The counts an SLI reads, with the latency threshold's cumulative bucket picked out. */
export function trafficCounts(traffic: WindowTraffic, thresholdSeconds: number): TrafficCounts {
  const bucket = traffic.latency.find((b) => Math.abs(b.le - thresholdSeconds) < 1e-9);
  return {
    requests: traffic.requests,
    serverErrors: traffic.serverErrors,
    fasterThanThreshold: bucket?.count ?? 0,
    pledgeWrites: traffic.pledgeWrites,
    pledgeWritesSucceeded: traffic.pledgeWritesSucceeded,
  };
}
