// The agent's configuration: the environment read once and validated at start. Precedence: flag, then
// environment variable, then default. OTEL_* variables belong to the instrumentation preload and are read
// by the OpenTelemetry SDK itself.

import { z } from 'zod';
import {
  type DatabaseConfig,
  databaseEnvSchema,
  requirePostgresUrl,
  toDatabaseConfig,
} from '../core/config/database-config.ts';
import { type RateLimit, rateLimit, trustedProxies, wholeNumber } from '../core/config/env-types.ts';
import { type Env, parseEnv } from '../core/config/parse-env.ts';
import { redisEnvSchema } from '../core/config/redis-config.ts';
import {
  type HttpServerLimits,
  httpServerEnvSchema,
  requireHeadersWithinRequest,
  toHttpServerLimits,
} from '../core/http/server-limits.ts';

export type { RateLimit } from '../core/config/env-types.ts';

export interface FaultSettings {
  /** Route templates (`/api/artists/:id`) the faults apply to; empty means none, `*` every route. */
  readonly routes: readonly string[];
  readonly latencyMs: number;
  /** Share of matching requests answered 500, from 0 to 1. */
  readonly errorRate: number;
}

export interface AgentConfig {
  readonly database: DatabaseConfig;
  readonly host: string;
  readonly port: number;
  readonly redisUrl?: string;
  readonly rateLimitApi: RateLimit | null;
  readonly rateLimitAuth: RateLimit | null;
  readonly sessionTtlHours: number;
  readonly shutdownTimeoutMs: number;
  /** Headers and request timeouts and the connection cap of the HTTP server. */
  readonly http: HttpServerLimits;
  readonly faults: FaultSettings;
  /**
   * Express's `trust proxy`: the load balancer's addresses or subnets, the only peers whose X-Forwarded-For
   * and X-Forwarded-Proto count, so that behind it the rate limits see each client. false (the default)
   * trusts none. Never a hop count: that would trust whoever connects directly.
   */
  readonly trustProxy: false | readonly string[];
}

export interface AgentFlags {
  readonly dataDir?: string | undefined;
  readonly port?: number | undefined;
}

export const agentEnvSchema = databaseEnvSchema
  .extend(httpServerEnvSchema.shape)
  .extend(redisEnvSchema.shape)
  .extend({
    HOST: z.string().default('127.0.0.1'),
    PORT: wholeNumber(0, 65_535, 3000).default(3000),
    RATE_LIMIT_API: rateLimit().default(() => ({ limit: 100, windowMs: 15 * 60_000 })),
    RATE_LIMIT_AUTH: rateLimit().default(() => ({ limit: 5, windowMs: 15 * 60_000 })),
    SESSION_TTL_HOURS: wholeNumber(1, 24 * 365, 168).default(168),
    SHUTDOWN_TIMEOUT_MS: wholeNumber(100, 60_000, 10_000).default(10_000),
    TRUST_PROXY: trustedProxies().default(false),
    FAULT_ROUTES: z.string().default(''),
    FAULT_LATENCY_MS: wholeNumber(0, 60_000, 250).default(0),
    FAULT_ERROR_RATE: z
      .string()
      .regex(/^(0(\.\d+)?|1(\.0+)?)$/, 'must be a share from 0 to 1, e.g. 0.05')
      .transform(Number)
      .default(0),
  })
  .superRefine(requirePostgresUrl)
  .superRefine(requireHeadersWithinRequest);

export function loadAgentConfig(env: Env = process.env, flags: AgentFlags = {}): AgentConfig {
  const merged = { ...env, ...(flags.dataDir ? { PULSE_DATA_DIR: flags.dataDir } : {}) };
  const parsed = parseEnv(agentEnvSchema, merged);
  return {
    database: toDatabaseConfig(parsed),
    host: parsed.HOST,
    port: flags.port ?? parsed.PORT,
    ...(parsed.REDIS_URL ? { redisUrl: parsed.REDIS_URL } : {}),
    rateLimitApi: parsed.RATE_LIMIT_API,
    rateLimitAuth: parsed.RATE_LIMIT_AUTH,
    sessionTtlHours: parsed.SESSION_TTL_HOURS,
    shutdownTimeoutMs: parsed.SHUTDOWN_TIMEOUT_MS,
    http: toHttpServerLimits(parsed),
    trustProxy: parsed.TRUST_PROXY,
    faults: {
      routes: parsed.FAULT_ROUTES.split(',')
        .map((route) => route.trim())
        .filter(Boolean),
      latencyMs: parsed.FAULT_LATENCY_MS,
      errorRate: parsed.FAULT_ERROR_RATE,
    },
  };
}

/** What the instrumentation preload needs; read by agent/instrument.ts before anything else is imported. */
export interface TelemetryConfig {
  readonly metricsHost: string;
  readonly metricsPort: number;
  readonly environment: string;
  /** Blue/green colour or canary marker for side-by-side comparison; absent when unset. */
  readonly deploymentColor?: string;
  readonly canary: boolean;
}

export const telemetryEnvSchema = z.object({
  HOST: z.string().default('127.0.0.1'),
  METRICS_PORT: wholeNumber(0, 65_535, 9464).default(9464),
  DEPLOYMENT_ENVIRONMENT: z
    .string()
    .regex(/^[\w.-]{1,40}$/, 'must be a short name such as production')
    .default('development'),
  DEPLOYMENT_COLOR: z
    .string()
    .regex(/^[a-z][\w-]{0,19}$/, 'must be a short lower-case name such as blue or green')
    .optional(),
  DEPLOYMENT_CANARY: z.enum(['true', 'false'], { error: 'must be true or false' }).default('false'),
});

export function loadTelemetryConfig(env: Env = process.env): TelemetryConfig {
  const parsed = parseEnv(telemetryEnvSchema, env);
  return {
    metricsHost: parsed.HOST,
    metricsPort: parsed.METRICS_PORT,
    environment: parsed.DEPLOYMENT_ENVIRONMENT,
    ...(parsed.DEPLOYMENT_COLOR ? { deploymentColor: parsed.DEPLOYMENT_COLOR } : {}),
    canary: parsed.DEPLOYMENT_CANARY === 'true',
  };
}
