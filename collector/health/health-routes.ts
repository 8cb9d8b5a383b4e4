// GET /api/health?window=15m — the live health series of a HealthSource as a HealthReport, with `rollout` added
// (the guide's canary and blue-green steps, read off the same report: rollout.ts). The lead mounts the router
// behind requireRole(tokens, 'operator'); a bad window is a 400 naming the parameter.
import { Router } from 'express';
import type { AlertThresholds } from '../../core/alerts/thresholds.ts';
import { HttpError } from '../../core/http/http-errors.ts';
import { parseQuery } from '../../core/http/parse-input.ts';
import { defaultRolloutOptions } from '../../core/scaling/rollout-guide.ts';
import { defaultCanaryOptions } from './canary.ts';
import { healthQuerySchema } from './health-window.ts';
import { type HealthResponse, rolloutOf } from './rollout.ts';
import type { HealthSource } from './types.ts';

export interface HealthRouteOptions {
  /** The longest window a request may ask for: the source's retention, in seconds. */
  readonly maxWindowSeconds: number;
  /** The canary comparison's minimum sample, which the blue-green test step asks for too (default 200). */
  readonly minRequests?: number;
  /** The configured alert thresholds the blue-green step compares green with (default alertThresholds). */
  readonly alertThresholds?: Pick<AlertThresholds, 'errors' | 'latency'>;
}

export function healthRoutes(source: HealthSource, options: HealthRouteOptions): Router {
  const router = Router();
  const schema = healthQuerySchema(options.maxWindowSeconds);

  router.get('/api/health', async (req, res) => {
    const { window } = parseQuery(schema, req.query);
    let report: Awaited<ReturnType<HealthSource['report']>>;
    try {
      report = await source.report(window);
    } catch (error) {
      throw new HttpError(
        503,
        'health_source_unavailable',
        `the ${source.kind} health source failed: ${(error as Error).message}`,
      );
    }
    const body: HealthResponse = {
      ...report,
      rollout: rolloutOf(
        report,
        options.minRequests ?? defaultCanaryOptions.minRequests,
        options.alertThresholds
          ? { ...defaultRolloutOptions, alertThresholds: options.alertThresholds }
          : defaultRolloutOptions,
      ),
    };
    res.json(body);
  });

  return router;
}
