// Fault injection for demos and alert tests (off by default): extra latency and a share of 500 answers on
// chosen route templates (FAULT_ROUTES=/api/artists/:id,… or *), like the OpenTelemetry Demo's flags.
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
  const patterns = settings.routes.map(templatePattern);
  return async (req, _res, next) => {
    if (!patterns.some((pattern) => pattern.test(req.path))) return next();
    if (settings.latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, settings.latencyMs));
    if (random() < settings.errorRate)
      throw new HttpError(500, 'injected_fault', 'fault injected by FAULT_ERROR_RATE');
    next();
  };
}
