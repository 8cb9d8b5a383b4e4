// The collector's HTTP application: open /healthz and the dashboard's static files; founder-only KPI routes and /metrics (or the metrics
// token); operator routes for live health, alerts, the scaling checklist and server-sent events; wrong tokens
// limited per client address; one JSON error shape.
import compression from 'compression';
import express, { type Express, type Request } from 'express';
import helmet from 'helmet';
import type { AlertRule } from '../core/alerts/rules.ts';
import type { AlertThresholds } from '../core/alerts/thresholds.ts';
import type { Db } from '../core/db/types.ts';
import { errorHandler, HttpError, notFound } from '../core/http/http-errors.ts';
import type { KpiEngine } from '../core/kpi/kpi-engine.ts';
import { type SloDefinition, sloCatalog } from '../core/slo/slo-catalog.ts';
import { alertRoutes, audiencesFor } from './alerts/alert-routes.ts';
import type { AlertService } from './alerts/alert-service.ts';
import type { AlertTransition } from './alerts/types.ts';
import { type CollectorLimits, defaultCollectorLimits, defaultKpiSettings } from './config.ts';
import type { EventHub } from './events/event-hub.ts';
import { healthRoutes } from './health/health-routes.ts';
import type { HealthSource } from './health/types.ts';
import { limitWrongTokens, requireRole, roleOf } from './http/auth.ts';
import { ConcurrencyLimit } from './http/concurrency-limit.ts';
import type { CollectorMetrics } from './metrics/kpi-gauges.ts';
import { dashboardRoutes, sessionRoutes } from './routes/dashboard-routes.ts';
import { eventsRoutes } from './routes/events-routes.ts';
import { kpiRoutes } from './routes/kpi-routes.ts';
import { metricsRoutes } from './routes/metrics-routes.ts';
import { scalingRoutes } from './scaling/scaling-routes.ts';
import type { ScalingService } from './scaling/scaling-service.ts';
import { sloRoutes } from './slo/slo-routes.ts';
import type { TrafficSource } from './slo/traffic-source.ts';
import type { RoleTokens } from './tokens.ts';

export interface CollectorDeps {
  readonly db: Db;
  /** Where the KPI routes' own reads (artists, cohorts) go; where absent, `db`. */
  readonly readDb?: Db;
  readonly engine: KpiEngine;
  readonly tokens: RoleTokens;
  readonly metricsToken?: string | undefined;
  readonly currency: string;
  /** Bounds the /api/kpis* work; where absent, one with defaultKpiSettings' limits. */
  readonly kpiLimit?: ConcurrencyLimit;
  /** null when neither AGENT_METRICS_URLS nor PROMETHEUS_URL is set. */
  readonly health: HealthSource | null;
  readonly healthRetentionSeconds: number;
  readonly alerts: AlertService;
  /** The rules the alert service evaluates, for GET /api/catalog; absent, the default catalog (alertRules). */
  readonly alertRules?: readonly AlertRule[];
  /** Their thresholds, which the rollout walk of GET /api/health compares with; absent, alertThresholds. */
  readonly alertThresholds?: AlertThresholds;
  readonly scaling: ScalingService;
  readonly metrics: CollectorMetrics;
  readonly events: EventHub;
  /** Event streams per token and the wrong-token limit; where absent, defaultCollectorLimits'. */
  readonly limits?: Pick<CollectorLimits, 'eventStreamsPerToken' | 'authFailures'>;
  readonly log: (message: string) => void;
  /** GET /api/slo: the catalog and where its counts come from; absent, the default catalog and no source. */
  readonly slo?: { readonly catalog: readonly SloDefinition[]; readonly source: TrafficSource | null };
}

/** Routes that take the operator token (and the founder's); /metrics and /api/kpis* take the founder's only. */
const operatorPaths = [
  '/api/session',
  '/api/catalog',
  '/api/health',
  '/api/alerts',
  '/api/slo',
  '/api/scaling',
  '/api/events',
];

function defaultKpiLimit(): ConcurrencyLimit {
  const { maxConcurrent, maxQueued } = defaultKpiSettings;
  return new ConcurrencyLimit({ maxRunning: maxConcurrent, maxQueued });
}

export function createCollectorApp(deps: CollectorDeps): Express {
  const { tokens } = deps;
  const limits = deps.limits ?? defaultCollectorLimits;
  const app = express();
  app.disable('x-powered-by');
  // The dashboard loads only its own scripts, styles, fonts and images and talks only to this origin; plain
  // HTTP on a LAN address must keep working, so no upgrade-insecure-requests. No CORS headers anywhere.
  app.use(
    helmet({
      contentSecurityPolicy: {
        useDefaults: false,
        directives: {
          defaultSrc: ["'self'"],
          scriptSrc: ["'self'"],
          styleSrc: ["'self'"],
          imgSrc: ["'self'", 'data:'],
          connectSrc: ["'self'"],
          objectSrc: ["'none'"],
          baseUri: ["'self'"],
          formAction: ["'self'"],
          frameAncestors: ["'none'"],
        },
      },
    }),
  );
  app.set('query parser', 'simple');
  const callerRole = (req: Request) => roleOf(req.get('authorization'), tokens);
  // gzip for the dashboard's assets and the JSON; never for the event stream, which must not be buffered.
  app.use(
    compression({
      filter: (req, res) =>
        !String(res.getHeader('content-type') ?? '').startsWith('text/event-stream') &&
        compression.filter(req, res),
    }),
  );

  const wrongTokens = limitWrongTokens(
    [tokens.founder, tokens.operator, ...(deps.metricsToken ? [deps.metricsToken] : [])],
    limits.authFailures,
    deps.log,
  );
  if (wrongTokens) app.use(['/metrics', '/api/kpis', ...operatorPaths], wrongTokens);

  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.use(dashboardRoutes());
  app.use(metricsRoutes(deps.metrics, tokens, deps.metricsToken));
  app.use('/api/kpis', requireRole(tokens, 'founder'));
  app.use(kpiRoutes({ ...deps, kpiLimit: deps.kpiLimit ?? defaultKpiLimit() }));
  for (const path of operatorPaths) app.use(path, requireRole(tokens, 'operator'));
  if (deps.health) {
    app.use(
      healthRoutes(deps.health, {
        maxWindowSeconds: deps.healthRetentionSeconds,
        ...(deps.alertThresholds ? { alertThresholds: deps.alertThresholds } : {}),
      }),
    );
  } else {
    app.get('/api/health', () => {
      throw new HttpError(
        503,
        'health_source_not_configured',
        'no live health source: set AGENT_METRICS_URLS (agents to scrape) or PROMETHEUS_URL',
      );
    });
  }
  app.use(sessionRoutes(callerRole, deps.currency, deps.alertRules));
  app.use(alertRoutes(deps.alerts, { roleOf: callerRole }));
  app.use(scalingRoutes(deps.scaling));
  app.use(sloRoutes(deps.slo?.catalog ?? sloCatalog, deps.slo?.source ?? null));
  app.use(
    eventsRoutes(deps.events, {
      streamsPerToken: limits.eventStreamsPerToken,
      visible: (req, event) => {
        if (event.name !== 'alert') return true;
        const { audience } = event.data as AlertTransition;
        return audiencesFor(callerRole(req)).includes(audience);
      },
    }),
  );
  app.use(notFound);
  app.use(errorHandler(deps.log, 'collector'));
  return app;
}
