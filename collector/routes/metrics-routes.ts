// GET /metrics on the collector: the KPI gauges include revenue, so it takes the founder token or the
// separate PULSE_METRICS_TOKEN (for Prometheus, which should not hold a founder's token). The operator
// token is refused with 403 like any other revenue route.
import { type RequestHandler, Router } from 'express';
import { bearerIs, requireRole } from '../http/auth.ts';
import type { CollectorMetrics } from '../metrics/kpi-gauges.ts';
import type { RoleTokens } from '../tokens.ts';

/** Lets the metrics token through; anything else goes to the founder check. */
function metricsTokenOrFounder(tokens: RoleTokens, metricsToken: string | undefined): RequestHandler {
  const founderOnly = requireRole(tokens, 'founder');
  return (req, res, next) => {
    if (metricsToken && bearerIs(req.get('authorization'), metricsToken)) return next();
    founderOnly(req, res, next);
  };
}

export function metricsRoutes(
  metrics: CollectorMetrics,
  tokens: RoleTokens,
  metricsToken: string | undefined,
): Router {
  const router = Router();
  router.get('/metrics', metricsTokenOrFounder(tokens, metricsToken), async (_req, res) => {
    const text = await metrics.render();
    res.type(metrics.registry.contentType).send(text);
  });
  return router;
}
