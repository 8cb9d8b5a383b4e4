// GET /api/health?window=15m — the live health series of a HealthSource as a HealthReport. The lead mounts
// the router behind requireRole(tokens, 'operator'); a bad window is a 400 naming the parameter.
import { Router } from 'express';
import { HttpError } from '../../core/http/http-errors.ts';
import { parseInput } from '../../core/http/parse-input.ts';
import { healthQuerySchema } from './health-window.ts';
import type { HealthSource } from './types.ts';

export interface HealthRouteOptions {
  /** The longest window a request may ask for: the source's retention, in seconds. */
  readonly maxWindowSeconds: number;
}

export function healthRoutes(source: HealthSource, options: HealthRouteOptions): Router {
  const router = Router();
  const schema = healthQuerySchema(options.maxWindowSeconds);

  router.get('/api/health', async (req, res) => {
    const { window } = parseInput(schema, req.query);
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
    res.json(report);
  });

  return router;
}
