// Reads the scaling checklist's health inputs from the live health source (scraper or Prometheus): how
// many distinct agent instances answer, when the last scrape succeeded, and which instances have reported
// rate-limit rejections within the look-back window.
import type { HealthReport, HealthSource } from '../health/types.ts';
import type { ScalingHealthInputs } from './scaling-types.ts';

/** Long enough to cover a 15-minute rate-limit window several times over. */
export const rateLimitLookBackSeconds = 3_600;

export function healthInputsFromReport(report: HealthReport): ScalingHealthInputs {
  const answering = report.instances.filter((instance) => instance.up);
  const rejecting = answering.filter((instance) =>
    instance.points.some((point) => (point.rateLimitRejectionsPerSecond ?? 0) > 0),
  );
  return {
    instanceCount: new Set(answering.map((instance) => instance.instance)).size,
    lastSuccessAt: report.lastSuccessAt,
    instancesWithRateLimitRejections: new Set(rejecting.map((instance) => instance.instance)).size,
  };
}

/** The `readHealth` dependency of createScalingService, for a running health source. */
export function readScalingHealth(source: HealthSource): () => Promise<ScalingHealthInputs> {
  return async () => healthInputsFromReport(await source.report(rateLimitLookBackSeconds));
}
