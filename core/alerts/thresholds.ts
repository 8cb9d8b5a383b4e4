// Every number the alert rules use, in one object: the collector's evaluator, and later the generated
// Prometheus and Grafana alert rules, read the same thresholds from here. Units: seconds, bytes, ratios
// (0.01 = 1 %), per-second rates, user counts. Why each default was chosen is written beside it.

export interface AlertThresholds {
  readonly milestones: {
    /** The scaling guide's phase boundaries: phase 2 starts at 1K users, phase 3 at 10K, phase 4 at 100K. */
    readonly users: readonly number[];
    /** Share of the next milestone at which "prepare for the next phase" is announced. */
    readonly nearShare: number;
    readonly forSeconds: number;
  };
  readonly embeddedDatabase: { readonly maxUsers: number; readonly forSeconds: number };
  readonly pool: {
    readonly pendingAbove: number;
    readonly pendingForSeconds: number;
    readonly usedShare: number;
    readonly usedForSeconds: number;
  };
  readonly latency: {
    readonly p95WarningSeconds: number;
    readonly p95CriticalSeconds: number;
    readonly forSeconds: number;
  };
  readonly errors: {
    readonly warningRatio: number;
    readonly warningForSeconds: number;
    readonly criticalRatio: number;
    readonly criticalForSeconds: number;
    readonly minRequestsPerSecond: number;
  };
  readonly eventLoop: { readonly p99Seconds: number; readonly forSeconds: number };
  readonly memory: { readonly heapUsedBytes: number; readonly rssBytes: number; readonly forSeconds: number };
  readonly rateLimit: { readonly rejectionsPerSecond: number; readonly forSeconds: number };
  readonly staleness: {
    /** The health source's scrape (or poll) interval; the collector passes its real setting. */
    readonly healthIntervalSeconds: number;
    readonly healthStaleIntervals: number;
    readonly kpiMaxAgeSeconds: number;
    readonly forSeconds: number;
  };
  /** `pulse import-sqlite FILE --follow`: each followed file syncs every interval of its own. */
  readonly legacyFollow: {
    /** Intervals without a successful sync after which a followed file is stale (or failing too long). */
    readonly staleIntervals: number;
    readonly forSeconds: number;
  };
  readonly business: {
    readonly logoChurnMonthly: number;
    readonly minPledgersAtStart: number;
    readonly conversionRelativeDrop: number;
    readonly conversionTrailingPeriods: number;
    readonly minConversionCohort: number;
    readonly forSeconds: number;
  };
}

const gibibyte = 1024 ** 3;

export const alertThresholds: AlertThresholds = {
  milestones: {
    users: [1_000, 10_000, 100_000],
    // 80 %: at the demo model's ~12 % monthly growth that is about two months of notice before the milestone.
    nearShare: 0.8,
    // The user count only moves with registrations; 5 min keeps a bulk import rolled back from announcing.
    forSeconds: 300,
  },
  // The scaling guide's limit for a single-file database. Nothing breaks at 101 users, so it is a warning
  // (not a page), but the next step is the same whatever the count: migrate to PostgreSQL.
  embeddedDatabase: { maxUsers: 100, forSeconds: 300 },
  pool: {
    // Any caller waiting for a connection for a whole minute means the pool (default max 20) is too small
    // or a query holds connections too long; a brief spike during a burst is normal, hence the minute.
    pendingAbove: 0,
    pendingForSeconds: 60,
    // 80 % of max leaves headroom for a burst before callers queue.
    usedShare: 0.8,
    usedForSeconds: 120,
  },
  // 0.5 s p95 is where users notice a slow API; 1 s is broken. 5 min ignores a single slow scrape step.
  latency: { p95WarningSeconds: 0.5, p95CriticalSeconds: 1, forSeconds: 300 },
  errors: {
    warningRatio: 0.01,
    warningForSeconds: 300,
    // 5 % of requests failing is an outage for those users: page after 2 min rather than 5.
    criticalRatio: 0.05,
    criticalForSeconds: 120,
    // The ratio is per scrape step (5 s by default): below 1 request/s a step holds under 5 requests and
    // one 5xx moves it by 20 % or more. Less traffic than this is too little to judge: the condition is false.
    minRequestsPerSecond: 1,
  },
  // 100 ms p99 event-loop delay: every request waits that long before its handler even runs.
  eventLoop: { p99Seconds: 0.1, forSeconds: 120 },
  memory: {
    // Node 20's default old-space limit on a 64-bit machine is 2–4 GiB: 1 GiB used warns well before it.
    heapUsedBytes: gibibyte,
    // 1.5 GiB resident is far beyond the agent's normal ~100–200 MB: a leak or a runaway cache.
    rssBytes: 1.5 * gibibyte,
    forSeconds: 300,
  },
  // Over 1 rejection/s for 5 min is a client hammering the API (or limits set too low for real traffic).
  rateLimit: { rejectionsPerSecond: 1, forSeconds: 300 },
  staleness: {
    // The collector's HEALTH_SCRAPE_INTERVAL_MS default (5 s); the collector passes its configured value.
    healthIntervalSeconds: 5,
    // Three missed scrapes in a row: one missed scrape is a hiccup, three is an agent (or network) down.
    healthStaleIntervals: 3,
    // KPI inputs refresh every minute; 15 missed refreshes means the database has been unreadable for long.
    kpiMaxAgeSeconds: 900,
    forSeconds: 0,
  },
  legacyFollow: {
    // Like the health source: one missed sync is a slow file or a busy database, three in a row is a follower
    // that stopped, hangs, or fails at every attempt — while the old app keeps writing rows Pulse lacks.
    staleIntervals: 3,
    // The three intervals are the wait already: announce at the first evaluation past them.
    forSeconds: 0,
  },
  business: {
    // The demo model's monthly logo churn is ≈ 2.5 %; 8 % is over three times that — worth a founder's look.
    logoChurnMonthly: 0.08,
    // Same floor as the LTV estimate (core/kpi/ltv.ts): below 30 pledgers one cancellation is > 3 %.
    minPledgersAtStart: 30,
    // 20 % below the trailing 3 months: the seeded conversion moves by a few points month to month; a
    // fifth less is a real change (a broken sign-up or pledge flow), not noise.
    conversionRelativeDrop: 0.2,
    conversionTrailingPeriods: 3,
    minConversionCohort: 30,
    // A closed month's figure does not change with waiting: announce it at the first evaluation.
    forSeconds: 0,
  },
};
