// Request count, server errors and latency buckets summed over a window (from stored steps or from PromQL
// `increase`), and the figures read off them: the canary comparison and the agreement tests use these.
import { addBucket, type BucketSums, toBuckets } from './bucket-counts.ts';
import { ratio } from './counter-delta.ts';
import { type Bucket, histogramQuantile } from './histogram-quantile.ts';

export interface WindowStats {
  /** Seconds of scrape intervals the sums cover. */
  readonly seconds: number;
  readonly requests: number;
  readonly serverErrors: number;
  readonly latency: readonly Bucket[];
}

export interface WindowSummary extends WindowStats {
  readonly requestsPerSecond: number | null;
  readonly errorRatio: number | null;
  readonly p95: number | null;
}

export const emptyWindow: WindowStats = { seconds: 0, requests: 0, serverErrors: 0, latency: [] };

export function addWindows(windows: readonly WindowStats[]): WindowStats {
  const latency: BucketSums = new Map();
  let seconds = 0;
  let requests = 0;
  let serverErrors = 0;
  for (const window of windows) {
    seconds = Math.max(seconds, window.seconds);
    requests += window.requests;
    serverErrors += window.serverErrors;
    for (const bucket of window.latency) addBucket(latency, bucket.le, bucket.count);
  }
  return { seconds, requests, serverErrors, latency: toBuckets(latency) };
}

export function summarize(stats: WindowStats): WindowSummary {
  return {
    ...stats,
    requestsPerSecond: stats.seconds > 0 ? stats.requests / stats.seconds : null,
    errorRatio: ratio(stats.serverErrors, stats.requests),
    p95: histogramQuantile(0.95, stats.latency),
  };
}
