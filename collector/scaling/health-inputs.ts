// Reads the scaling checklist's health inputs from the live health source (scraper or Prometheus): how
// many distinct agent instances answer, when the last scrape succeeded, and which of them run a rate limiter
// (their rejection series exists, so its rate is a number rather than null, within the look-back window).
import type { HealthReport, HealthSource } from '../health/types.ts';
import type { ScalingHealthInputs } from './scaling-types.ts';

/** An hour of points: enough to have seen every answering instance's series. */
export const rateLimitLookBackSeconds = 3_600;

export function healthInputsFromReport(report: HealthReport): ScalingHealthInputs {
  const answering = report.instances.filter((instance) => instance.up);
  const limited = answering.filter((instance) =>
    instance.points.some((point) => point.rateLimitRejectionsPerSecond !== null),
  );
  return {
    instanceCount: new Set(answering.map((instance) => instance.instance)).size,
    lastSuccessAt: report.lastSuccessAt,
    instancesWithRateLimiter: new Set(limited.map((instance) => instance.instance)).size,
  };
}

/** The `readHealth` dependency of createScalingService, for a running health source. */
export function readScalingHealth(source: HealthSource): () => Promise<ScalingHealthInputs> {
  return async () => healthInputsFromReport(await source.report(rateLimitLookBackSeconds));
}
