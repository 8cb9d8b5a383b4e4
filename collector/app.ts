// The collector's HTTP application: open /healthz, founder-only KPI routes, one JSON error shape.
import express, { type Express } from 'express';
import type { Db } from '../core/db/types.ts';
import { errorHandler, notFound } from '../core/http/http-errors.ts';
import type { KpiEngine } from '../core/kpi/kpi-engine.ts';
import { requireRole } from './http/auth.ts';
import { kpiRoutes } from './routes/kpi-routes.ts';
import type { RoleTokens } from './tokens.ts';

export interface CollectorDeps {
  readonly db: Db;
  readonly engine: KpiEngine;
  readonly tokens: RoleTokens;
  readonly currency: string;
  readonly log: (message: string) => void;
}

export function createCollectorApp(deps: CollectorDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('query parser', 'simple');

  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.use('/api/kpis', requireRole(deps.tokens, 'founder'));
  app.use(kpiRoutes(deps));
  app.use(notFound);
  app.use(errorHandler(deps.log));
  return app;
}
