// The scaling checklist's last evaluation, kept for /metrics: every report the service makes (GET
// /api/scaling, the alert evaluation's re-read once a minute) is remembered, and `recent()` hands out the
// remembered one while it is younger than maxAgeMs, so a Prometheus scrape every 15 s does not run the
// checklist's database queries and agent look-ups each time. A manual record forgets it (the next scrape
// shows the new state), and concurrent callers of `recent()` share one evaluation.
import type { ScalingService } from './scaling-service.ts';
import type { ScalingReport } from './scaling-types.ts';

/** The alert evaluation re-reads the checklist once a minute (defaultKpiRefreshMs): the same cadence. */
export const defaultScalingReportMaxAgeMs = 60_000;

export interface CachedScalingService extends ScalingService {
  /** The last report if younger than maxAgeMs, else a fresh one. */
  recent(): Promise<ScalingReport>;
}

export interface ScalingReportCacheOptions {
  readonly maxAgeMs?: number;
  /** Epoch ms; Date.now by default. */
  readonly now?: () => number;
}

export function cacheScalingReports(
  service: ScalingService,
  options: ScalingReportCacheOptions = {},
): CachedScalingService {
  const maxAgeMs = options.maxAgeMs ?? defaultScalingReportMaxAgeMs;
  const now = options.now ?? Date.now;
  let kept: { readonly report: ScalingReport; readonly at: number } | null = null;
  let inFlight: Promise<ScalingReport> | null = null;
  // Bumped by every record: a report begun before a record must not be kept after it.
  let generation = 0;

  async function evaluate(): Promise<ScalingReport> {
    const started = generation;
    const at = now();
    const report = await service.report();
    if (started === generation && (!kept || kept.at <= at)) kept = { report, at };
    return report;
  }

  return {
    report: evaluate,
    async recent() {
      if (kept && now() - kept.at < maxAgeMs) return kept.report;
      if (inFlight) return inFlight;
      const pending: Promise<ScalingReport> = evaluate().finally(() => {
        if (inFlight === pending) inFlight = null;
      });
      inFlight = pending;
      return pending;
    },
    async record(itemId, input) {
      const view = await service.record(itemId, input);
      generation += 1;
      kept = null;
      inFlight = null;
      return view;
    },
    history: (itemId, limit) => service.history(itemId, limit),
  };
}
