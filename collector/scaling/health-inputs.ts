// Reads the scaling checklist's health inputs from the live health source (scraper or Prometheus): how
// many distinct agent instances answer, when the last scrape succeeded, which of them run a rate limiter
// (their rejection series exists, so its rate is a number rather than null, within the look-back window),
// which of them cache user profiles (their pledgr_cache_lookups_total series exists, likewise), and the
// profile cache's look-ups over the window.
import type { HealthReport, HealthSource } from '../health/types.ts';
import type { ScalingHealthInputs } from './scaling-types.ts';

/** An hour of points: enough to have seen every answering instance's series. */
export const rateLimitLookBackSeconds = 3_600;

export function healthInputsFromReport(report: HealthReport): ScalingHealthInputs {
  const answering = report.instances.filter((instance) => instance.up);
  const limited = answering.filter((instance) =>
    instance.points.some((point) => point.rateLimitRejectionsPerSecond !== null),
  );
  const caching = answering.filter((instance) =>
    instance.points.some(
      (point) => point.cacheLookupsPerSecond !== null && point.cacheLookupsPerSecond !== undefined,
    ),
  );
  const cache = report.profileCache ?? null;
  return {
    instanceCount: new Set(answering.map((instance) => instance.instance)).size,
    lastSuccessAt: report.lastSuccessAt,
    instancesWithRateLimiter: new Set(limited.map((instance) => instance.instance)).size,
    instancesWithCache: new Set(caching.map((instance) => instance.instance)).size,
    profileCache: cache
      ? {
          hits: cache.hits,
          misses: cache.misses,
          errors: cache.errors,
          lookups: cache.lookups,
          hitRatio: cache.hitRatio,
        }
      : null,
  };
}

/** The `readHealth` dependency of createScalingService, for a running health source. */
export function readScalingHealth(source: HealthSource): () => Promise<ScalingHealthInputs> {
  return async () => healthInputsFromReport(await source.report(rateLimitLookBackSeconds));
}
