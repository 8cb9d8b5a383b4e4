// The pledge API's Express application (its HTTP metrics come from the drop-in agent, agent/register.js, as
// for any Express app): JSON only (16 kB bodies), rate limits, the profile cache, optional fault injection,
// the routes, and one error middleware that maps typed errors to statuses in the {"error": …} shape.
import express, { type Express } from 'express';
import helmet from 'helmet';
import type { Redis } from 'ioredis';
import type { Db } from '../core/db/types.ts';
import { errorHandler, notFound } from '../core/http/http-errors.ts';
import { requireJson } from '../core/http/require-json.ts';
import { type ProfileCache, uncachedProfiles } from './cache/profile-cache.ts';
import type { AgentConfig } from './config.ts';
import { injectFaults } from './faults.ts';
import { recordTrustedProxies } from './metrics/meter.ts';
import { createRateLimiter } from './rate-limit.ts';
import { artistRoutes } from './routes/artist-routes.ts';
import { authRoutes } from './routes/auth-routes.ts';
import { healthRoutes } from './routes/health-routes.ts';
import { meRoutes } from './routes/me-routes.ts';
import { pledgeRoutes } from './routes/pledge-routes.ts';

export interface AgentDeps {
  readonly db: Db;
  readonly config: Pick<
    AgentConfig,
    'rateLimitApi' | 'rateLimitAuth' | 'sessionTtlHours' | 'faults' | 'trustProxy'
  >;
  readonly redis?: Redis;
  /** The signed-in user's profile, cached in Redis when REDIS_URL is set; the database alone otherwise. */
  readonly profiles?: ProfileCache;
  readonly isShuttingDown?: () => boolean;
  readonly log?: (message: string) => void;
}

export function createAgentApp(deps: AgentDeps): Express {
  const { db, config } = deps;
  const profiles = deps.profiles ?? uncachedProfiles;
  const app = express();
  app.disable('x-powered-by');
  // JSON only, never a page: nothing may load, frame or embed it. No CORS headers: browsers on other origins are refused.
  app.use(
    helmet({
      contentSecurityPolicy: {
        useDefaults: false,
        directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] },
      },
    }),
  );
  app.set('query parser', 'simple');
  app.set('trust proxy', config.trustProxy === false ? false : [...config.trustProxy]);
  recordTrustedProxies(config.trustProxy);

  app.use(healthRoutes(db, deps.isShuttingDown ?? (() => false)));
  const apiLimit = createRateLimiter('api', config.rateLimitApi, deps.redis);
  const authLimit = createRateLimiter('auth', config.rateLimitAuth, deps.redis);
  if (apiLimit) app.use('/api', apiLimit);
  if (authLimit) app.use('/api/auth', authLimit);
  const faults = injectFaults(config.faults);
  if (faults) app.use(faults);
  app.use(requireJson, express.json({ limit: '16kb', strict: true }));

  app.use(authRoutes(db, config.sessionTtlHours, profiles));
  app.use(meRoutes(db, profiles));
  app.use(artistRoutes(db));
  app.use(pledgeRoutes(db));
  app.use(notFound);
  app.use(errorHandler(deps.log ?? ((message) => console.error(message)), 'pledge API'));
  return app;
}
