// The collector's configuration: the environment read once, validated at start. Precedence: flag, then
// environment variable, then default. Tokens are secrets: never echoed in errors.
import { z } from 'zod';
import { currencyEnvSchema } from '../core/config/currency-config.ts';
import {
  type DatabaseConfig,
  databaseEnvSchema,
  databaseReadEnvSchema,
  requirePostgresUrl,
  requireReadUrlWithPostgres,
  toDatabaseConfig,
} from '../core/config/database-config.ts';
import {
  duration,
  httpUrl,
  httpUrlList,
  type RateLimit,
  rateLimit,
  wholeNumber,
} from '../core/config/env-types.ts';
import { type Env, parseEnv } from '../core/config/parse-env.ts';
import {
  type HttpServerLimits,
  httpServerDefaults,
  httpServerEnvSchema,
  requireHeadersWithinRequest,
  toHttpServerLimits,
} from '../core/http/server-limits.ts';
import { defaultCachePeriods } from '../core/kpi/period-cache.ts';

export interface CollectorConfig {
  readonly database: DatabaseConfig;
  readonly currency: string;
  readonly host: string;
  readonly port: number;
  /** Set tokens; where unset, they are generated on first start and stored under the data directory. */
  readonly founderToken?: string;
  readonly operatorToken?: string;
  /** Lets Prometheus read /metrics without the founder token. */
  readonly metricsToken?: string;
  readonly health: HealthSettings;
  readonly alerts: AlertSettings;
  /** Whether the deployment has Redis (REDIS_URL set), for the scaling checklist. */
  readonly redisConfigured: boolean;
  /**
   * The monitored app's public base URLs (MONITORED_APP_URLS): the collector asks them for files that must
   * never be served (its database, .env, .git) — the scaling checklist's security section and the
   * SensitiveFileServed alert. Empty: no outside look.
   */
  readonly monitoredAppUrls?: readonly string[];
  /** Where absent (configurations built in code), defaultKpiSettings. */
  readonly kpi?: KpiSettings;
  /** Where absent (configurations built in code), defaultCollectorLimits. */
  readonly limits?: CollectorLimits;
}

/** Bounds on the KPI routes' work and memory. */
export interface KpiSettings {
  /** KPI computations running at once across every /api/kpis* route. */
  readonly maxConcurrent: number;
  /** Requests waiting for one of those; past that, 503 kpi_busy with Retry-After. */
  readonly maxQueued: number;
  /** Computed periods kept in memory (least recently used dropped first); 0 keeps none. */
  readonly cachePeriods: number;
}

export const defaultKpiSettings: KpiSettings = {
  maxConcurrent: 2,
  maxQueued: 20,
  cachePeriods: defaultCachePeriods,
};

export type { RateLimit } from '../core/config/env-types.ts';

/** Bounds on what one client can hold or try: sockets, event streams, wrong tokens. */
export interface CollectorLimits {
  readonly http: HttpServerLimits;
  /** Event streams (GET /api/events) open at once per token; past that, 429. */
  readonly eventStreamsPerToken: number;
  /** Wrong tokens per client address and window before 429; null turns the limit off. */
  readonly authFailures: RateLimit | null;
}

export const defaultCollectorLimits: CollectorLimits = {
  http: httpServerDefaults,
  eventStreamsPerToken: 10,
  authFailures: { limit: 20, windowMs: 60_000 },
};

export interface HealthSettings {
  /** The agents' metrics URLs the built-in scraper reads (AGENT_METRICS_URLS). */
  readonly agentMetricsUrls: readonly string[];
  /** When set, health comes from Prometheus through PromQL instead of the scraper. */
  readonly prometheusUrl?: string;
  readonly scrapeIntervalMs: number;
  readonly retentionMs: number;
}

export interface AlertSettings {
  readonly webhookUrl?: string;
  readonly alertmanagerUrl?: string;
  readonly evaluationIntervalMs: number;
}

export interface CollectorFlags {
  readonly dataDir?: string | undefined;
  readonly port?: number | undefined;
}

const token = z.string().min(16, 'must be at least 16 characters; unset it to have one generated');

const collectorEnvSchema = databaseEnvSchema
  .extend(databaseReadEnvSchema.shape)
  .extend(currencyEnvSchema.shape)
  .extend(httpServerEnvSchema.shape)
  .extend({
    HOST: z.string().default('127.0.0.1'),
    COLLECTOR_PORT: wholeNumber(0, 65_535, 4000).default(4000),
    PULSE_FOUNDER_TOKEN: token.optional(),
    PULSE_OPERATOR_TOKEN: token.optional(),
    PULSE_METRICS_TOKEN: token.optional(),
    AGENT_METRICS_URLS: httpUrlList('http://127.0.0.1:9464/metrics').default([]),
    PROMETHEUS_URL: httpUrl('http://127.0.0.1:9090').optional(),
    HEALTH_SCRAPE_INTERVAL: duration(1_000, 300_000, '5s').default(5_000),
    HEALTH_RETENTION: duration(60_000, 7 * 86_400_000, '6h').default(6 * 3_600_000),
    ALERT_WEBHOOK_URL: httpUrl('https://hooks.example.com/pulse').optional(),
    ALERTMANAGER_URL: httpUrl('http://127.0.0.1:9093').optional(),
    ALERT_EVALUATION_INTERVAL: duration(1_000, 3_600_000, '15s').default(15_000),
    KPI_MAX_CONCURRENT: wholeNumber(1, 64, 2).default(defaultKpiSettings.maxConcurrent),
    KPI_MAX_QUEUED: wholeNumber(0, 10_000, 20).default(defaultKpiSettings.maxQueued),
    KPI_CACHE_PERIODS: wholeNumber(0, 1_000_000, 20_000).default(defaultKpiSettings.cachePeriods),
    EVENT_STREAMS_PER_TOKEN: wholeNumber(1, 10_000, 10).default(defaultCollectorLimits.eventStreamsPerToken),
    RATE_LIMIT_AUTH_FAILURES: rateLimit().default(defaultCollectorLimits.authFailures),
    REDIS_URL: z.string().optional(),
    MONITORED_APP_URLS: httpUrlList('http://127.0.0.1:3000').default([]),
  })
  .superRefine(requirePostgresUrl)
  .superRefine(requireReadUrlWithPostgres)
  .superRefine(requireHeadersWithinRequest)
  .superRefine((env, ctx) => {
    if (env.PULSE_FOUNDER_TOKEN && env.PULSE_FOUNDER_TOKEN === env.PULSE_OPERATOR_TOKEN) {
      ctx.addIssue({
        code: 'custom',
        path: ['PULSE_OPERATOR_TOKEN'],
        message: 'must differ from PULSE_FOUNDER_TOKEN',
      });
    }
  });

export function loadCollectorConfig(env: Env = process.env, flags: CollectorFlags = {}): CollectorConfig {
  const merged = { ...env, ...(flags.dataDir ? { PULSE_DATA_DIR: flags.dataDir } : {}) };
  const parsed = parseEnv(collectorEnvSchema, merged);
  return {
    database: toDatabaseConfig(parsed),
    currency: parsed.PULSE_CURRENCY,
    host: parsed.HOST,
    port: flags.port ?? parsed.COLLECTOR_PORT,
    ...(parsed.PULSE_FOUNDER_TOKEN ? { founderToken: parsed.PULSE_FOUNDER_TOKEN } : {}),
    ...(parsed.PULSE_OPERATOR_TOKEN ? { operatorToken: parsed.PULSE_OPERATOR_TOKEN } : {}),
    ...(parsed.PULSE_METRICS_TOKEN ? { metricsToken: parsed.PULSE_METRICS_TOKEN } : {}),
    health: {
      agentMetricsUrls: parsed.AGENT_METRICS_URLS,
      ...(parsed.PROMETHEUS_URL ? { prometheusUrl: parsed.PROMETHEUS_URL } : {}),
      scrapeIntervalMs: parsed.HEALTH_SCRAPE_INTERVAL,
      retentionMs: parsed.HEALTH_RETENTION,
    },
    alerts: {
      ...(parsed.ALERT_WEBHOOK_URL ? { webhookUrl: parsed.ALERT_WEBHOOK_URL } : {}),
      ...(parsed.ALERTMANAGER_URL ? { alertmanagerUrl: parsed.ALERTMANAGER_URL } : {}),
      evaluationIntervalMs: parsed.ALERT_EVALUATION_INTERVAL,
    },
    redisConfigured: Boolean(parsed.REDIS_URL),
    monitoredAppUrls: parsed.MONITORED_APP_URLS,
    kpi: {
      maxConcurrent: parsed.KPI_MAX_CONCURRENT,
      maxQueued: parsed.KPI_MAX_QUEUED,
      cachePeriods: parsed.KPI_CACHE_PERIODS,
    },
    limits: {
      http: toHttpServerLimits(parsed),
      eventStreamsPerToken: parsed.EVENT_STREAMS_PER_TOKEN,
      authFailures: parsed.RATE_LIMIT_AUTH_FAILURES,
    },
  };
}
