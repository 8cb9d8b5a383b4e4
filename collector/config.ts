// The collector's configuration: the environment read once, validated at start. Precedence: flag, then
// environment variable, then default. Tokens are secrets: never echoed in errors.
import { z } from 'zod';
import { currencyEnvSchema } from '../core/config/currency-config.ts';
import {
  type DatabaseConfig,
  databaseEnvSchema,
  requirePostgresUrl,
  toDatabaseConfig,
} from '../core/config/database-config.ts';
import { duration, httpUrl, httpUrlList, wholeNumber } from '../core/config/env-types.ts';
import { type Env, parseEnv } from '../core/config/parse-env.ts';

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
}

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
  .extend(currencyEnvSchema.shape)
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
    REDIS_URL: z.string().optional(),
  })
  .superRefine(requirePostgresUrl)
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
  };
}
