// The live-health contract: what the health sources (built-in scraper or Prometheus) produce, what
// GET /api/health returns, and what the alert evaluator and the dashboard read. Rates are per second,
// durations in seconds, memory in bytes; a figure that cannot be derived (no traffic, no sample yet) is null.

/** One instant of derived health for one instance or for the total over all instances. */
export interface HealthPoint {
  /** Epoch milliseconds of the scrape (or PromQL evaluation step) this point describes. */
  readonly t: number;
  readonly requestsPerSecond: number | null;
  /** 5xx answers / all answers over the step; null when there were no requests. */
  readonly errorRatio: number | null;
  readonly latencyP50: number | null;
  readonly latencyP95: number | null;
  readonly latencyP99: number | null;
  /** p95 of db.client.operation.duration by query name (db_query_summary), over the step. */
  readonly dbQueryP95: Readonly<Record<string, number>>;
  readonly poolUsed: number | null;
  readonly poolIdle: number | null;
  readonly poolPending: number | null;
  readonly poolMax: number | null;
  readonly heapUsedBytes: number | null;
  readonly rssBytes: number | null;
  readonly eventLoopP99: number | null;
  readonly rateLimitRejectionsPerSecond: number | null;
  /**
   * Profile-cache look-ups (pledgr_cache_lookups_total{cache="user_profile"}) per second over the step; null
   * when no instance serves the family (no cache: REDIS_URL unset). Optional only for hand-built points.
   */
  readonly cacheLookupsPerSecond?: number | null;
  /** hit ÷ all look-ups (hit, miss, error) over the step; null without look-ups or without the family. */
  readonly cacheHitRatio?: number | null;
}

/** The profile cache over the whole report window, from pledgr_cache_lookups_total{cache="user_profile"}. */
export interface ProfileCacheWindow {
  readonly hits: number;
  readonly misses: number;
  /** Look-ups Redis could not answer (down or too slow): answered from the database. */
  readonly errors: number;
  readonly lookups: number;
  /** hits ÷ lookups; null when there were none. */
  readonly hitRatio: number | null;
}

/** One agent instance (service.instance.id) as seen by the source. */
export interface InstanceHealth {
  readonly instance: string;
  /** service.version, deployment.color and deployment.canary labels of the instance, where present. */
  readonly version: string | null;
  readonly color: string | null;
  readonly canary: boolean;
  /** The metrics URL (scraper) or Prometheus job/instance it was read from. */
  readonly target: string;
  /** False once the target stopped answering (vanished); its old points stay until they age out. */
  readonly up: boolean;
  readonly lastSeen: number | null;
  readonly points: readonly HealthPoint[];
}

/** The new deployment (a version or colour) against the old one, or why there is no verdict yet. */
export interface CanaryComparison {
  readonly splitBy: 'version' | 'color';
  readonly baseline: string;
  readonly candidate: string;
  readonly baselineRequests: number;
  readonly candidateRequests: number;
  readonly baselineErrorRatio: number | null;
  readonly candidateErrorRatio: number | null;
  readonly baselineP95: number | null;
  readonly candidateP95: number | null;
  /** 'insufficient_data' until both sides have the minimum sample size. */
  readonly verdict: 'healthy' | 'degraded' | 'insufficient_data';
  readonly reasons: readonly string[];
}

/** GET /api/health?window=… */
export interface HealthReport {
  readonly source: 'scrape' | 'prometheus';
  readonly windowSeconds: number;
  readonly stepSeconds: number;
  readonly generatedAt: number;
  /** Epoch ms of the last successful scrape of any target (or Prometheus answer); null when none yet. */
  readonly lastSuccessAt: number | null;
  readonly total: readonly HealthPoint[];
  readonly instances: readonly InstanceHealth[];
  /** null when every instance runs the same version and colour. */
  readonly canary: CanaryComparison | null;
  /**
   * The profile cache over the window; null when no instance serves its counter (REDIS_URL unset). Optional
   * only for hand-built reports: both sources always set it.
   */
  readonly profileCache?: ProfileCacheWindow | null;
}

/** Where health comes from: the built-in scraper, or Prometheus through PromQL. */
export interface HealthSource {
  readonly kind: HealthReport['source'];
  start(): void;
  stop(): Promise<void>;
  report(windowSeconds: number): Promise<HealthReport>;
  /** The newest total point and per-instance points, for alert evaluation; null before the first success. */
  latest(): Promise<{
    total: HealthPoint;
    instances: readonly InstanceHealth[];
    lastSuccessAt: number;
  } | null>;
  /** Called after every scrape round or poll (for server-sent events). Returns an unsubscribe function. */
  onTick(listener: (latest: HealthPoint | null) => void): () => void;
}
