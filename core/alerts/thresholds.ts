// Every number the alert rules use, in one object: the collector's evaluator, and later the generated
// Prometheus and Grafana alert rules, read the same thresholds from here. Units: seconds, bytes, ratios
// (0.01 = 1 %), per-second rates, user counts. Why each default was chosen is written beside it.
// No flapping: every rule has a resolve threshold (hysteresis: once firing it stays firing until the figure
// is back past a second, lower line) or a keep-firing time (once firing it stays firing that long after its
// condition last held) — chosen per figure: hysteresis where the figure moves smoothly and a margin means
// something, keep-firing where it jumps (counts that are 0 or not, ages that reset at each success).

export interface AlertThresholds {
  readonly milestones: {
    /** The scaling guide's phase boundaries: phase 2 starts at 1K users, phase 3 at 10K, phase 4 at 100K. */
    readonly users: readonly number[];
    /** Share of the next milestone at which "prepare for the next phase" is announced. */
    readonly nearShare: number;
    /** A milestone alert resolves only below this share of its own threshold (hysteresis). */
    readonly resolveShare: number;
    readonly forSeconds: number;
  };
  readonly embeddedDatabase: {
    readonly maxUsers: number;
    readonly resolveUsers: number;
    readonly forSeconds: number;
  };
  readonly pool: {
    readonly pendingAbove: number;
    readonly pendingForSeconds: number;
    readonly pendingKeepFiringSeconds: number;
    readonly usedShare: number;
    readonly usedResolveShare: number;
    readonly usedForSeconds: number;
  };
  /** The database server's client connections ÷ the limit for ordinary roles (all processes' pools together). */
  readonly databaseConnections: {
    readonly warningShare: number;
    readonly warningResolveShare: number;
    readonly warningForSeconds: number;
    readonly criticalShare: number;
    readonly criticalResolveShare: number;
    readonly criticalForSeconds: number;
  };
  readonly latency: {
    readonly p95WarningSeconds: number;
    readonly p95WarningResolveSeconds: number;
    readonly p95CriticalSeconds: number;
    readonly p95CriticalResolveSeconds: number;
    readonly forSeconds: number;
  };
  readonly errors: {
    readonly warningRatio: number;
    readonly warningResolveRatio: number;
    readonly warningForSeconds: number;
    readonly criticalRatio: number;
    readonly criticalResolveRatio: number;
    readonly criticalForSeconds: number;
    readonly minRequestsPerSecond: number;
  };
  readonly eventLoop: {
    readonly p99Seconds: number;
    readonly resolveP99Seconds: number;
    readonly forSeconds: number;
  };
  readonly memory: {
    readonly heapUsedBytes: number;
    readonly heapResolveBytes: number;
    readonly rssBytes: number;
    readonly rssResolveBytes: number;
    readonly forSeconds: number;
  };
  readonly rateLimit: {
    readonly rejectionsPerSecond: number;
    readonly forSeconds: number;
    readonly keepFiringSeconds: number;
  };
  /** SensitiveFileServed: the monitored app handing out its database, .env or .git. */
  readonly exposure: { readonly keepFiringSeconds: number };
  readonly staleness: {
    /** The health source's scrape (or poll) interval; the collector passes its real setting. */
    readonly healthIntervalSeconds: number;
    readonly healthStaleIntervals: number;
    readonly kpiMaxAgeSeconds: number;
    readonly forSeconds: number;
    readonly healthKeepFiringSeconds: number;
    readonly kpiKeepFiringSeconds: number;
  };
  /** `pulse import-sqlite FILE --follow`: each followed file syncs every interval of its own. */
  readonly legacyFollow: {
    /** Intervals without a successful sync after which a followed file is stale (or failing too long). */
    readonly staleIntervals: number;
    readonly forSeconds: number;
    readonly keepFiringSeconds: number;
  };
  /** The SLOs' burn-rate alerts (core/alerts/burn-rate-rules.ts); their factors come from the SLO catalog. */
  readonly sloBurn: {
    /** The workbook's table has no `for`: its short window already asks the burn to be current. */
    readonly forSeconds: number;
    readonly pageKeepFiringSeconds: number;
    readonly ticketKeepFiringSeconds: number;
  };
  readonly business: {
    readonly logoChurnMonthly: number;
    readonly logoChurnResolveMonthly: number;
    readonly minPledgersAtStart: number;
    readonly conversionRelativeDrop: number;
    readonly conversionResolveRelativeDrop: number;
    readonly conversionTrailingPeriods: number;
    readonly minConversionCohort: number;
    readonly forSeconds: number;
  };
}

const gibibyte = 1024 ** 3;
const mebibyte = 1024 ** 2;

export const alertThresholds: AlertThresholds = {
  milestones: {
    users: [1_000, 10_000, 100_000],
    // 80 %: at the demo model's ~12 % monthly growth that is about two months of notice before the milestone.
    nearShare: 0.8,
    // Users only go down when accounts are deleted; 2 % below the line (20 users at 1K) keeps a few deletions
    // right at a milestone from announcing it again and again.
    resolveShare: 0.98,
    // The user count only moves with registrations; 5 min keeps a bulk import rolled back from announcing.
    forSeconds: 300,
  },
  // The scaling guide's limit for a single-file database. Nothing breaks at 101 users, so it is a warning
  // (not a page), but the next step is the same whatever the count: migrate to PostgreSQL.
  // Resolves at 90 users: ten deleted accounts, not one, before the migration advice is withdrawn.
  embeddedDatabase: { maxUsers: 100, resolveUsers: 90, forSeconds: 300 },
  pool: {
    // Any caller waiting for a connection for a whole minute means the pool (default max 20) is too small
    // or a query holds connections too long; a brief spike during a burst is normal, hence the minute.
    pendingAbove: 0,
    pendingForSeconds: 60,
    // A count that is 0 or not has no margin for hysteresis. A pool at its limit queues in bursts (waiting,
    // none, waiting): stay firing until no caller has waited for 5 minutes.
    pendingKeepFiringSeconds: 300,
    // 80 % of max leaves headroom for a burst before callers queue.
    usedShare: 0.8,
    // Resolves below 70 %: a pool hovering at 80 % (16 of 20) is still the same problem at 15.
    usedResolveShare: 0.7,
    usedForSeconds: 120,
  },
  databaseConnections: {
    // 80 % of what the server allows: the pools can still grow by a fifth before a connection is refused.
    // Pools grow in bursts and give idle connections back after 30 s (the guide's idleTimeoutMillis), so
    // 5 min of it is a steady state — every pool at its max, or too many processes — not one burst.
    warningShare: 0.8,
    // Below 70 %, as the pool's own alert: a server hovering at 80 % (say 46 of 57) is the same problem at 44.
    warningResolveShare: 0.7,
    warningForSeconds: 300,
    // 95 %: one more pool growing, or a person's psql, is refused — and with it requests of the pledge API
    // (pg's connectionTimeoutMillis 2 s, then 5xx). Page after 2 min, as the critical error ratio does.
    criticalShare: 0.95,
    // Back under 85 %: headroom for a burst again, not one connection freed at the edge.
    criticalResolveShare: 0.85,
    criticalForSeconds: 120,
  },
  // 0.5 s p95 is where users notice a slow API; 1 s is broken. 5 min ignores a single slow scrape step.
  // Each resolves 20 % below its line (0.4 s, 0.8 s): a p95 hovering at 0.5 s is slow the whole time.
  latency: {
    p95WarningSeconds: 0.5,
    p95WarningResolveSeconds: 0.4,
    p95CriticalSeconds: 1,
    p95CriticalResolveSeconds: 0.8,
    forSeconds: 300,
  },
  errors: {
    warningRatio: 0.01,
    // Resolves below half the line (0.5 %): an error ratio is noisy step to step; half is clearly better.
    warningResolveRatio: 0.005,
    warningForSeconds: 300,
    // 5 % of requests failing is an outage for those users: page after 2 min rather than 5.
    criticalRatio: 0.05,
    criticalResolveRatio: 0.025,
    criticalForSeconds: 120,
    // The ratio is per scrape step (5 s by default): below 1 request/s a step holds under 5 requests and
    // one 5xx moves it by 20 % or more. Less traffic than this is too little to judge: the condition is false.
    minRequestsPerSecond: 1,
  },
  // 100 ms p99 event-loop delay: every request waits that long before its handler even runs.
  // Resolves below 80 ms (20 % under): the delay tracks load, which hovers.
  eventLoop: { p99Seconds: 0.1, resolveP99Seconds: 0.08, forSeconds: 120 },
  memory: {
    // Node 20's default old-space limit on a 64-bit machine is 2–4 GiB: 1 GiB used warns well before it.
    heapUsedBytes: gibibyte,
    // 128 MiB below each line: garbage collection saws the heap up and down by about that much under load.
    heapResolveBytes: gibibyte - 128 * mebibyte,
    // 1.5 GiB resident is far beyond the agent's normal ~100–200 MB: a leak or a runaway cache.
    rssBytes: 1.5 * gibibyte,
    rssResolveBytes: 1.5 * gibibyte - 128 * mebibyte,
    forSeconds: 300,
  },
  // Over 1 rejection/s for 5 min is a client hammering the API (or limits set too low for real traffic).
  // Keeps firing 15 min: the limits count per 15-minute window, so a client hammering the API is rejected in
  // bursts, one per window, and the alert would otherwise resolve and fire again at each.
  rateLimit: { rejectionsPerSecond: 1, forSeconds: 300, keepFiringSeconds: 900 },
  // A file served at one probe and not the next (a cache, one replica of two fixed) is still exposed: keep
  // firing until the probes have been clean for 10 minutes.
  exposure: { keepFiringSeconds: 600 },
  staleness: {
    // The collector's HEALTH_SCRAPE_INTERVAL_MS default (5 s); the collector passes its configured value.
    healthIntervalSeconds: 5,
    // Three missed scrapes in a row: one missed scrape is a hiccup, three is an agent (or network) down.
    healthStaleIntervals: 3,
    // KPI inputs refresh every minute; 15 missed refreshes means the database has been unreadable for long.
    kpiMaxAgeSeconds: 900,
    forSeconds: 0,
    // Ages fall back to 0 at each success, so no hysteresis: an agent in a crash loop answers a scrape now
    // and then; it is back when it has answered for 2 minutes.
    healthKeepFiringSeconds: 120,
    // One good KPI read among failures is not a database back: 5 minutes of fresh reads resolve it.
    kpiKeepFiringSeconds: 300,
  },
  legacyFollow: {
    // Like the health source: one missed sync is a slow file or a busy database, three in a row is a follower
    // that stopped, hangs, or fails at every attempt — while the old app keeps writing rows Pulse lacks.
    staleIntervals: 3,
    // The three intervals are the wait already: announce at the first evaluation past them.
    forSeconds: 0,
    // A follower that syncs once between failures is still failing: 5 minutes without a stale file resolve it.
    keepFiringSeconds: 300,
  },
  // Keep-firing of about a short window's tenth: a burn hovering at the factor stays one incident, and a page
  // still resolves within minutes of the fix (the workbook's short windows: 5 min for pages, 2 h for tickets).
  sloBurn: { forSeconds: 0, pageKeepFiringSeconds: 300, ticketKeepFiringSeconds: 1_800 },
  business: {
    // The demo model's monthly logo churn is ≈ 2.5 %; 8 % is over three times that — worth a founder's look.
    logoChurnMonthly: 0.08,
    // Resolves below 6 %: a month at 7.9 % after one at 8.1 % is the same problem, not a recovery.
    logoChurnResolveMonthly: 0.06,
    // Same floor as the LTV estimate (core/kpi/ltv.ts): below 30 pledgers one cancellation is > 3 %.
    minPledgersAtStart: 30,
    // 20 % below the trailing 3 months: the seeded conversion moves by a few points month to month; a
    // fifth less is a real change (a broken sign-up or pledge flow), not noise.
    conversionRelativeDrop: 0.2,
    // Resolves once conversion is back within 10 % of the trailing months.
    conversionResolveRelativeDrop: 0.1,
    conversionTrailingPeriods: 3,
    minConversionCohort: 30,
    // A closed month's figure does not change with waiting: announce it at the first evaluation.
    forSeconds: 0,
  },
};
