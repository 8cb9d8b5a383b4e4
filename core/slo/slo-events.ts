// Good and bad events of an SLI over one window, from the request counts both health sources can give
// (the scraper's stored deltas, Prometheus's `increase`): one function, so both count alike.
import { pledgeWriteMethods, pledgeWriteRoutes, type SliKind } from './slo-catalog.ts';

/** Request counts over one window, all agents together. */
export interface TrafficCounts {
  readonly requests: number;
  readonly serverErrors: number;
  /** Requests at or under the latency threshold: the cumulative bucket whose bound is the threshold. */
  readonly fasterThanThreshold: number;
  /** Pledge writes answered anything but 4xx. */
  readonly pledgeWrites: number;
  /** Pledge writes answered 2xx. */
  readonly pledgeWritesSucceeded: number;
}

export interface SloEvents {
  readonly total: number;
  readonly bad: number;
}

export function sloEvents(sli: SliKind, counts: TrafficCounts): SloEvents {
  switch (sli.kind) {
    case 'availability':
      return { total: counts.requests, bad: counts.serverErrors };
    case 'latency':
      return { total: counts.requests, bad: Math.max(0, counts.requests - counts.fasterThanThreshold) };
    case 'pledgeWrites':
      return {
        total: counts.pledgeWrites,
        bad: Math.max(0, counts.pledgeWrites - counts.pledgeWritesSucceeded),
      };
  }
}

/**
 * What a request counts for in the pledge-writes SLI: 'excluded' when it is no pledge write or the client's
 * own mistake (4xx: validation, auth, someone else's pledge, the rate limit), else succeeded (2xx) or failed.
 */
export function pledgeWriteOutcome(
  method: string | undefined,
  route: string | undefined,
  status: string | undefined,
): 'succeeded' | 'failed' | 'excluded' {
  if (!(pledgeWriteMethods as readonly string[]).includes(method ?? '')) return 'excluded';
  if (!(pledgeWriteRoutes as readonly string[]).includes(route ?? '')) return 'excluded';
  if ((status ?? '').startsWith('4')) return 'excluded';
  return (status ?? '').startsWith('2') ? 'succeeded' : 'failed';
}
