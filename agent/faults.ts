// Fault injection for demos and alert tests (off by default): extra latency and a share of 500 answers on
// chosen route templates (FAULT_ROUTES=/api/artists/:id,… or *), like the OpenTelemetry Demo's flags. It
// runs before Express matches a route, so an injected 500 leaves the template in `res.locals.faultRoute`
// for the HTTP metrics: per-route error panels then show the fault on the route it was injected on.
import type { RequestHandler } from 'express';
import { HttpError } from '../core/http/http-errors.ts';
import type { FaultSettings } from './config.ts';

function templatePattern(template: string): RegExp {
  if (template === '*') return /.*/;
  const escaped = template
    .split('/')
    .map((part) => (part.startsWith(':') ? '[^/]+' : part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
    .join('/');
  return new RegExp(`^${escaped}/?$`);
}

export function injectFaults(
  settings: FaultSettings,
  random: () => number = Math.random,
): RequestHandler | null {
  if (settings.routes.length === 0 || (settings.latencyMs === 0 && settings.errorRate === 0)) return null;
  const patterns = settings.routes.map((template) => ({ template, pattern: templatePattern(template) }));
  return async (req, res, next) => {
    const matched = patterns.find(({ pattern }) => pattern.test(req.path));
    if (!matched) return next();
    if (settings.latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, settings.latencyMs));
    if (random() < settings.errorRate) {
      if (matched.template !== '*') res.locals.faultRoute = matched.template;
      throw new HttpError(500, 'injected_fault', 'fault injected by FAULT_ERROR_RATE');
    }
    next();
  };
}
