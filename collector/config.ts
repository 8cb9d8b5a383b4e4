// The collector's configuration: the environment read once, validated at start. Precedence: flag, then
// environment variable, then the configuration file (PULSE_CONFIG: alert thresholds and SLOs, config-file.ts),
// then default. Tokens are secrets: never echoed in errors.
import { z } from 'zod';
import { type AlertThresholds, alertThresholds } from '../core/alerts/thresholds.ts';
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
import { defaultMaxOpenUsers } from '../core/kpi/open-period.ts';
import { defaultCachePeriods } from '../core/kpi/period-cache.ts';
import { defaultMovementSlices } from '../core/kpi/sliced-movements.ts';
import { defaultSloSettings, type SloSettings } from '../core/slo/slo-catalog.ts';
import { defaultHolderId } from './alerts/alert-lease.ts';
import {
  checkAlertCatalog,
  readConfigFile,
  type SloFileSettings,
  sloLatencyThreshold,
  sloObjective,
  sloWindow,
} from './config-file.ts';

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
  /** Where absent (configurations built in code), defaultAlertHistorySettings. */
  readonly alertHistory?: AlertHistorySettings;
  /** Where absent (configurations built in code), defaultKpiSettings. */
  readonly kpi?: KpiSettings;
  /** Where absent (configurations built in code), defaultSloSettings. */
  readonly slo?: SloSettings;
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
  /** The most moving (or registered) users the open period is kept per user for (about 45 bytes each). */
  readonly openPeriodUsers: number;
  /** Connections a from-scratch range is computed on at once, on PostgreSQL (1: whole, in the transaction). */
  readonly querySlices: number;
}

export const defaultKpiSettings: KpiSettings = {
  maxConcurrent: 2,
  maxQueued: 20,
  cachePeriods: defaultCachePeriods,
  openPeriodUsers: defaultMaxOpenUsers,
  querySlices: defaultMovementSlices,
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
  /**
   * The alert rules' thresholds: the defaults with PULSE_CONFIG's `alerts` laid over them, and the scrape
   * interval of HEALTH_SCRAPE_INTERVAL. Where absent (configurations built in code), alertThresholds.
   */
  readonly thresholds?: AlertThresholds;
  /** Where absent (configurations built in code), a generated holder id and alertLeaseDefaultMs. */
  readonly lease?: AlertLeaseSettings;
}

// --- The alert lease (two collectors on one database: one evaluates and notifies) ---
export interface AlertLeaseSettings {
  /** This collector's name in the lease row and logs (COLLECTOR_INSTANCE_ID; default host-pid-random). */
  readonly holderId: string;
  /** How long a holder that stops renewing keeps the lease (ALERT_LEASE_DURATION). */
  readonly durationMs: number;
}

/**
 * The holder renews at every evaluation, and evaluations start one interval after the previous one ENDS:
 * two intervals leave a whole slow evaluation (a cold KPI read) of slack before the lease is lost, and
 * 5 s keeps a 1 s interval from losing it to one slow query. A follower takes over at its first evaluation
 * after the expiry: at most this plus one interval after the holder's last renewal.
 */
export function alertLeaseDefaultMs(evaluationIntervalMs: number): number {
  return Math.max(2 * evaluationIntervalMs, 5_000);
}

const alertLeaseEnv = {
  COLLECTOR_INSTANCE_ID: z
    .string()
    .regex(/^[A-Za-z0-9._:-]{1,100}$/, 'must be 1-100 letters, digits, dots, colons, dashes or underscores')
    .optional(),
  ALERT_LEASE_DURATION: duration(2_000, 7_200_000, '30s').optional(),
};

function requireLeaseLongerThanInterval(
  env: { ALERT_LEASE_DURATION?: number | undefined; ALERT_EVALUATION_INTERVAL: number },
  ctx: z.RefinementCtx,
): void {
  if (env.ALERT_LEASE_DURATION !== undefined && env.ALERT_LEASE_DURATION <= env.ALERT_EVALUATION_INTERVAL) {
    ctx.addIssue({
      code: 'custom',
      path: ['ALERT_LEASE_DURATION'],
      message:
        'must be longer than ALERT_EVALUATION_INTERVAL (the holder renews once per interval); e.g. twice it',
    });
  }
}
// --- end of the alert lease ---

// --- The alert history's retention (ALERT_HISTORY_RETENTION) ---
export interface AlertHistorySettings {
  /** Transitions older than this are pruned (each alert's newest row is always kept: its current state). */
  readonly retentionMs: number;
}

/** 90 days: a quarter of incidents to look back on, a few thousand rows even for a noisy deployment. */
export const defaultAlertHistorySettings: AlertHistorySettings = { retentionMs: 90 * 86_400_000 };

const alertHistoryEnv = {
  // 1 hour to 10 years: shorter would prune an incident before anyone read it.
  ALERT_HISTORY_RETENTION: duration(3_600_000, 3_650 * 86_400_000, '90d').default(
    defaultAlertHistorySettings.retentionMs,
  ),
};
// --- end of the alert history's retention ---

// --- Service-level objectives (SLO_*, or the file's `slo`; core/slo/slo-catalog.ts) ---
// The values' rules (config-file.ts) are the file's too.
const sloEnv = {
  SLO_AVAILABILITY_OBJECTIVE: sloObjective('99.9').optional(),
  SLO_LATENCY_OBJECTIVE: sloObjective('99').optional(),
  SLO_LATENCY_THRESHOLD: sloLatencyThreshold().optional(),
  SLO_PLEDGE_WRITES_OBJECTIVE: sloObjective('99.9').optional(),
  // 1 to 90 days; the burn-rate factors scale with it (14.4 × 1 h is 2 % of 30 days).
  SLO_WINDOW: sloWindow().optional(),
};

/** Each setting from the environment, else the file, else the default. */
function toSloSettings(
  env: {
    SLO_AVAILABILITY_OBJECTIVE?: number | undefined;
    SLO_LATENCY_OBJECTIVE?: number | undefined;
    SLO_LATENCY_THRESHOLD?: number | undefined;
    SLO_PLEDGE_WRITES_OBJECTIVE?: number | undefined;
    SLO_WINDOW?: number | undefined;
  },
  file: SloFileSettings = {},
): SloSettings {
  const d = { ...defaultSloSettings, ...file };
  return {
    availabilityObjective: env.SLO_AVAILABILITY_OBJECTIVE ?? d.availabilityObjective,
    latencyObjective: env.SLO_LATENCY_OBJECTIVE ?? d.latencyObjective,
    latencyThresholdSeconds: env.SLO_LATENCY_THRESHOLD ?? d.latencyThresholdSeconds,
    pledgeWritesObjective: env.SLO_PLEDGE_WRITES_OBJECTIVE ?? d.pledgeWritesObjective,
    windowSeconds: env.SLO_WINDOW !== undefined ? env.SLO_WINDOW / 1000 : d.windowSeconds,
  };
}
// --- end of service-level objectives ---

export interface CollectorFlags {
  readonly dataDir?: string | undefined;
  readonly port?: number | undefined;
}

const token = z.string().min(16, 'must be at least 16 characters; unset it to have one generated');

export const collectorEnvSchema = databaseEnvSchema
  .extend(databaseReadEnvSchema.shape)
  .extend(currencyEnvSchema.shape)
  .extend(httpServerEnvSchema.shape)
  .extend({
    HOST: z.string().default('127.0.0.1'),
    // The configuration file (config-file.ts): alert thresholds and SLOs; a path, relative to the working directory.
    PULSE_CONFIG: z.string().optional(),
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
    KPI_OPEN_PERIOD_USERS: wholeNumber(0, 10_000_000, 1_000_000).default(defaultKpiSettings.openPeriodUsers),
    KPI_QUERY_SLICES: wholeNumber(1, 64, 2).default(defaultKpiSettings.querySlices),
    EVENT_STREAMS_PER_TOKEN: wholeNumber(1, 10_000, 10).default(defaultCollectorLimits.eventStreamsPerToken),
    RATE_LIMIT_AUTH_FAILURES: rateLimit().default(defaultCollectorLimits.authFailures),
    REDIS_URL: z.string().optional(),
    MONITORED_APP_URLS: httpUrlList('http://127.0.0.1:3000').default([]),
    ...alertLeaseEnv,
    ...alertHistoryEnv,
    ...sloEnv,
  })
  .superRefine(requirePostgresUrl)
  .superRefine(requireReadUrlWithPostgres)
  .superRefine(requireHeadersWithinRequest)
  .superRefine(requireLeaseLongerThanInterval)
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
  const file = parsed.PULSE_CONFIG ? readConfigFile(parsed.PULSE_CONFIG, alertThresholds) : undefined;
  const fileThresholds = file?.thresholds ?? alertThresholds;
  const thresholds: AlertThresholds = {
    ...fileThresholds,
    staleness: { ...fileThresholds.staleness, healthIntervalSeconds: parsed.HEALTH_SCRAPE_INTERVAL / 1000 },
  };
  const slo = toSloSettings(parsed, file?.slo);
  checkAlertCatalog(thresholds, slo, file?.path);
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
      thresholds,
      lease: {
        holderId: parsed.COLLECTOR_INSTANCE_ID ?? defaultHolderId(),
        durationMs: parsed.ALERT_LEASE_DURATION ?? alertLeaseDefaultMs(parsed.ALERT_EVALUATION_INTERVAL),
      },
    },
    alertHistory: { retentionMs: parsed.ALERT_HISTORY_RETENTION },
    slo,
    redisConfigured: Boolean(parsed.REDIS_URL),
    monitoredAppUrls: parsed.MONITORED_APP_URLS,
    kpi: {
      maxConcurrent: parsed.KPI_MAX_CONCURRENT,
      maxQueued: parsed.KPI_MAX_QUEUED,
      cachePeriods: parsed.KPI_CACHE_PERIODS,
      openPeriodUsers: parsed.KPI_OPEN_PERIOD_USERS,
      querySlices: parsed.KPI_QUERY_SLICES,
    },
    limits: {
      http: toHttpServerLimits(parsed),
      eventStreamsPerToken: parsed.EVENT_STREAMS_PER_TOKEN,
      authFailures: parsed.RATE_LIMIT_AUTH_FAILURES,
    },
  };
}
