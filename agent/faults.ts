// Fault injection for demos and alert tests (off by default): extra latency and a share of 500 answers on
// chosen route templates (FAULT_ROUTES=/api/artists/:id,… or *), like the OpenTelemetry Demo's flags. Each
// template is an Express route of its own placed before the real ones, so Express matches it as it matches
// them: an injected 500 carries that route template in the HTTP metrics (per-route error panels show the
// fault where it was injected), and a request spared passes on to the real route.
import { type RequestHandler, Router } from 'express';
import { HttpError } from '../core/http/http-errors.ts';
import type { FaultSettings } from './config.ts';

export function injectFaults(settings: FaultSettings, random: () => number = Math.random): Router | null {
  if (settings.routes.length === 0 || (settings.latencyMs === 0 && settings.errorRate === 0)) return null;
  const fault: RequestHandler = async (_req, _res, next) => {
    if (settings.latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, settings.latencyMs));
    if (random() < settings.errorRate)
      throw new HttpError(500, 'injected_fault', 'fault injected by FAULT_ERROR_RATE');
    next();
  };
  const router = Router();
  for (const template of settings.routes) {
    if (template === '*') router.use(fault);
    else router.all(template, fault);
  }
  return router;
}
