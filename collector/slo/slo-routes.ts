// GET /api/slo: the service-level objectives with their SLI, error budget left and burn rate per window
// (slo-report.ts). The lead mounts it behind requireRole(tokens, 'operator'). It takes no parameter; one
// given is a 400 naming it. Handler: parse → (authorized by the router) → query → respond.
import { Router } from 'express';
import { z } from 'zod';
import { HttpError } from '../../core/http/http-errors.ts';
import { parseQuery } from '../../core/http/parse-input.ts';
import type { SloDefinition } from '../../core/slo/slo-catalog.ts';
import { buildSloReport } from './slo-report.ts';
import type { TrafficSource } from './traffic-source.ts';

const sloQuerySchema = z.object({}).strict();

export function sloRoutes(catalog: readonly SloDefinition[], source: TrafficSource | null): Router {
  const router = Router();
  router.get('/api/slo', async (req, res) => {
    parseQuery(sloQuerySchema, req.query);
    if (!source) {
      throw new HttpError(
        503,
        'health_source_not_configured',
        'no live health source: set AGENT_METRICS_URLS (agents to scrape) or PROMETHEUS_URL',
      );
    }
    try {
      res.json(await buildSloReport(catalog, source));
    } catch (error) {
      throw new HttpError(
        503,
        'health_source_unavailable',
        `the ${source.kind} health source failed: ${(error as Error).message}`,
      );
    }
  });
  return router;
}
