// The alert-rule catalog: every rule as data — name, severity, how long its condition must hold, the input
// it reads and the threshold (from alertThresholds), guards that must also hold, who it is for, a summary
// template and what to do next. The collector evaluates these; a later issue generates the Prometheus and
// Grafana alert rules from the same list, so a rule is never written twice.
import { type ScalingPhase, scalingPhases } from '../scaling/scaling-guide.ts';
import { type SloDefinition, sloCatalog } from '../slo/slo-catalog.ts';
import { type BurnInput, burnInputs, burnRateRules } from './burn-rate-rules.ts';
import { checklistAction, type MilestoneChecklist, phaseAtMilestone } from './scaling-phases.ts';
import { type AlertThresholds, alertThresholds } from './thresholds.ts';

export type AlertSeverity = 'info' | 'warning' | 'critical';
export type AlertAudience = 'operator' | 'founder' | 'both';
export type AlertComparison = '>' | '>=' | '<' | '<=';
/** `factor`: a burn rate, a multiple of the rate that spends the error budget exactly over the SLO window. */
export type AlertUnit = 'count' | 'ratio' | 'seconds' | 'bytes' | 'perSecond' | 'flag' | 'factor';

/** What a rule can read. Health figures are the newest total point (memory: the worst instance). */
const catalogInputs = {
  users: { unit: 'count', help: 'All users in the database (SELECT count(*) FROM users).' },
  embeddedDatabase: {
    unit: 'flag',
    help: '1 when the collector runs on the embedded database (PGlite), else 0.',
  },
  poolPending: { unit: 'count', help: 'Callers waiting for a database connection.' },
  poolUsedShare: { unit: 'ratio', help: 'Connections in use ÷ pool max.' },
  requestsPerSecond: { unit: 'perSecond', help: 'API requests per second, all instances.' },
  latencyP95: { unit: 'seconds', help: 'p95 of http.server.request.duration, all instances.' },
  errorRatio: { unit: 'ratio', help: '5xx answers ÷ all answers.' },
  eventLoopP99: { unit: 'seconds', help: 'p99 event-loop delay of the worst instance.' },
  heapUsedBytes: { unit: 'bytes', help: 'V8 heap used by the worst instance.' },
  rssBytes: { unit: 'bytes', help: 'Resident memory of the worst instance.' },
  rateLimitRejectionsPerSecond: { unit: 'perSecond', help: 'Requests answered 429, per second.' },
  healthAgeSeconds: { unit: 'seconds', help: 'Time since the last successful health scrape.' },
  kpiAgeSeconds: { unit: 'seconds', help: 'Time since the KPI inputs were last read from the database.' },
  legacyFollowStaleFiles: {
    unit: 'count',
    help: 'Legacy SQLite files followed by pulse import-sqlite --follow (table legacy_follow) with no successful sync for more than 3 of their intervals.',
  },
  logoChurnLastMonth: { unit: 'ratio', help: 'Logo churn of the last complete month.' },
  pledgersAtStartLastMonth: { unit: 'count', help: 'Pledgers at the start of the last complete month.' },
  conversionRelativeDrop: {
    unit: 'ratio',
    help: '1 − (30-day conversion of the last mature month ÷ pooled conversion of the months before it).',
  },
  conversionCohortLastMature: { unit: 'count', help: 'Users registered in the last mature month.' },
  databaseConnectionsUsedShare: {
    unit: 'ratio',
    help: "Client connections open on the whole database server (pg_stat_activity, backend_type = 'client backend': every database and role — all agents' pools, the collector's, Grafana, psql) ÷ what roles that are not superusers may open (max_connections − superuser_reserved_connections − reserved_connections, read from PostgreSQL; the reserved slots are kept for an administrator, so at 100 % the pledge API's next connection is refused). Read on the primary at every evaluation; none on the embedded database.",
  },
  sensitiveFilesServed: {
    unit: 'count',
    help: 'Files the monitored app (MONITORED_APP_URLS) hands to anyone that must never be served — its SQLite database, WAL or journal, .env, .git/config — recognised by their content, not by the status code.',
  },
} as const satisfies Record<string, { unit: AlertUnit; help: string }>;

/** Every input a rule can read: the figures above and each SLO's burn rate per row of the workbook's table. */
export type AlertInput = keyof typeof catalogInputs | BurnInput;

export const alertInputs: Readonly<Record<AlertInput, { readonly unit: AlertUnit; readonly help: string }>> =
  {
    ...catalogInputs,
    ...burnInputs,
  };

export interface AlertCondition {
  readonly input: AlertInput;
  readonly comparison: AlertComparison;
  readonly threshold: number;
}

export interface AlertRule extends AlertCondition {
  /** PascalCase, unique: the Prometheus `alertname`. */
  readonly name: string;
  readonly severity: AlertSeverity;
  /** How long the condition must hold before the alert fires (Prometheus `for`). */
  readonly forSeconds: number;
  readonly audience: AlertAudience;
  /** May contain {{value}} and {{threshold}}, formatted in the input's unit. */
  readonly summary: string;
  /** What to do next: the scaling guide's checklist items or the first steps of an investigation. */
  readonly action: readonly string[];
  /**
   * Further conditions that must hold too (a minimum sample, a band's upper end). A guard that does not
   * hold makes the rule's condition false — too little data to judge is not a problem to announce.
   */
  readonly guards: readonly AlertCondition[];
  /**
   * Milestone rules: the scaling guide's checklist the action lists. The collector renders the action with
   * each item's current status (scaling-phases.ts, checklistAction); `action` is the same without statuses.
   */
  readonly checklist?: MilestoneChecklist;
  /**
   * Hysteresis: once firing, the alert stays firing while the input still passes this threshold with the
   * same comparison (error ratio fires above 1 %, resolves only at 0.5 % or less). Pending still needs
   * `threshold`. Absent: it resolves as soon as the condition stops.
   */
  readonly resolveThreshold?: number;
  /** Once firing, it stays firing this long after the condition stopped (Prometheus `keep_firing_for`). */
  readonly keepFiringForSeconds?: number;
}

/** "1K", "10K", "100K": milestone names in alert names. */
export function milestoneLabel(users: number): string {
  return users >= 1_000_000 ? `${users / 1_000_000}M` : users >= 1_000 ? `${users / 1_000}K` : String(users);
}

function milestoneRules(t: AlertThresholds): AlertRule[] {
  return t.milestones.users.flatMap((milestone) => {
    const { phase, beyondGuide, next, due } = phaseAtMilestone(milestone);
    const label = milestoneLabel(milestone);
    const phaseName = `phase ${phase.number} (${phase.name}, ${phase.usersLabel} users)`;
    const prepare: MilestoneChecklist = { verb: 'prepare', next, due };
    const act: MilestoneChecklist = { verb: 'do', next, due };
    const near: AlertRule = {
      name: `UsersApproaching${label}`,
      severity: 'info',
      forSeconds: t.milestones.forSeconds,
      audience: 'both',
      input: 'users',
      comparison: '>=',
      threshold: Math.round(milestone * t.milestones.nearShare),
      resolveThreshold: Math.round(milestone * t.milestones.nearShare * t.milestones.resolveShare),
      // The band ends at the milestone: from there UsersReached… takes over.
      guards: [{ input: 'users', comparison: '<', threshold: milestone }],
      summary: beyondGuide
        ? `{{value}} users, ${t.milestones.nearShare * 100} % of ${label}: the end of the scaling guide's ${phaseName}`
        : `{{value}} users, ${t.milestones.nearShare * 100} % of ${label}: prepare for ${phaseName}`,
      action: checklistAction(prepare, null),
      checklist: prepare,
    };
    const reached: AlertRule = {
      name: `UsersReached${label}`,
      severity: 'warning',
      forSeconds: t.milestones.forSeconds,
      audience: 'both',
      input: 'users',
      comparison: '>=',
      threshold: milestone,
      resolveThreshold: Math.round(milestone * t.milestones.resolveShare),
      guards: [],
      summary: beyondGuide
        ? `{{value}} users: past ${label}, beyond the scaling guide's last range`
        : `{{value}} users: past ${label}, ${phaseName} of the scaling guide begins`,
      action: checklistAction(act, null),
      checklist: act,
    };
    return [near, reached];
  });
}

/**
 * The scaling guide's "Database Migration Strategy", quoted step by step. Its Step 2 (sqlite3 .dump piped
 * into psql) does not load the current app's file into Pulse's pledge tables (other table and column names,
 * amounts in floating-point dollars, SQLite-only syntax in the dump): `npx pulse import-sqlite` does.
 */
export const migrationSteps: readonly string[] = [
  'the scaling guide, Database Migration Strategy:',
  'Step 1: Set up PostgreSQL — 1. Create Supabase account (free); 2. Create new project; 3. Get connection string; 4. Update environment variables',
  'Step 2: Migrate Data — the guide\'s sqlite3 pledgr.db ".dump" > export.sql then psql $DATABASE_URL < export.sql fails on the current app\'s file (SQLite syntax and its own tables, dollar amounts as floating point); instead run npx pulse migrate, then npx pulse import-sqlite pledgr.db, with DATABASE_URL set',
  'Step 3: Update Application — export DATABASE_TYPE=postgres; export DATABASE_URL=your_postgres_connection_string; export NODE_ENV=production; then restart the agent and collector',
];

const growthPhase = scalingPhases.find((phase) => phase.number === 2) as ScalingPhase;

/**
 * What to do when the pools together near the server's connection limit: the scaling guide's own
 * "Connection Pooling" lines (quoted as it writes them; the guide's pool is per process, and its phase 1
 * database is the Supabase free tier, which allows few connections), then Pulse's own knobs and the
 * transaction-mode pooler the guide does not name (marked as Pulse's).
 */
export const connectionLimitSteps: readonly string[] = [
  "the scaling guide, Connection Pooling: \"max: 20, // Max connections\" is per process — every agent replica and the collector open a pool of their own, so keep 2 × AGENT_DB_POOL_MAX + COLLECTOR_DB_POOL_MAX (docker-compose's names for each process's DB_POOL_MAX; + Grafana's 5 and a person's psql) below the limit: lower AGENT_DB_POOL_MAX (10 is plenty for two replicas at this scale) before adding replicas",
  'the scaling guide, Connection Pooling: "idleTimeoutMillis: 30000, // Close idle connections" — idle connections go back after 30 s, so a count that stays high is busy pools or too many processes: see who holds them with SELECT application_name, state, count(*) FROM pg_stat_activity WHERE backend_type = \'client backend\' GROUP BY 1, 2',
  "Pulse's own: put a transaction-mode pooler between the pools and the server — Supabase's Supavisor on port 6543 (its port 5432 is session mode: one server connection per client connection), or PgBouncer with pool_mode=transaction — so many client connections share few server ones (README, Managed PostgreSQL: make UTC the database's time zone, run pulse migrate through the session port)",
  `or a database that allows more connections: the scaling guide's phase ${growthPhase.number} (${growthPhase.name}) database, ${growthPhase.database} (${growthPhase.cost})`,
];

function operationRules(t: AlertThresholds): AlertRule[] {
  const operator = { audience: 'operator' as const, guards: [] };
  const minTraffic: AlertCondition = {
    input: 'requestsPerSecond',
    comparison: '>=',
    threshold: t.errors.minRequestsPerSecond,
  };
  return [
    {
      name: 'EmbeddedDatabaseTooManyUsers',
      severity: 'warning',
      forSeconds: t.embeddedDatabase.forSeconds,
      audience: 'both',
      input: 'users',
      comparison: '>',
      threshold: t.embeddedDatabase.maxUsers,
      resolveThreshold: t.embeddedDatabase.resolveUsers,
      guards: [{ input: 'embeddedDatabase', comparison: '>=', threshold: 1 }],
      summary: '{{value}} users on the embedded database (limit {{threshold}}): migrate to PostgreSQL',
      action: migrationSteps,
    },
    {
      ...operator,
      name: 'SensitiveFileServed',
      severity: 'critical',
      forSeconds: 0,
      keepFiringForSeconds: t.exposure.keepFiringSeconds,
      input: 'sensitiveFilesServed',
      comparison: '>',
      threshold: 0,
      summary:
        '{{value}} sensitive file(s) served by the monitored app to anyone (its database, .env or .git): the Scaling view, security section, names them',
      action: [
        "stop serving the app's working folder as static files: serve only a public/ folder (express.static('public'), never express.static('.'))",
        'move pledgr.db, its -wal and -journal files, .env and .git out of every served folder, and check the paths now answer 404',
        'assume the files were downloaded: rotate the secrets they held (JWT secret, database password) and ask users to change their passwords',
      ],
    },
    {
      ...operator,
      name: 'DbPoolRequestsWaiting',
      severity: 'warning',
      forSeconds: t.pool.pendingForSeconds,
      input: 'poolPending',
      comparison: '>',
      threshold: t.pool.pendingAbove,
      keepFiringForSeconds: t.pool.pendingKeepFiringSeconds,
      summary: '{{value}} callers waiting for a database connection',
      action: [
        'find slow queries holding connections (DB query p95 by query)',
        'raise DB_POOL_MAX if the database has capacity, or add an instance',
      ],
    },
    {
      ...operator,
      name: 'DbPoolNearlyFull',
      severity: 'warning',
      forSeconds: t.pool.usedForSeconds,
      input: 'poolUsedShare',
      comparison: '>=',
      threshold: t.pool.usedShare,
      resolveThreshold: t.pool.usedResolveShare,
      summary: 'database pool {{value}} in use (threshold {{threshold}})',
      action: [
        'check for slow queries and long transactions',
        'raise DB_POOL_MAX or scale out before it queues',
      ],
    },
    {
      ...operator,
      name: 'DatabaseConnectionsNearLimit',
      severity: 'warning',
      forSeconds: t.databaseConnections.warningForSeconds,
      input: 'databaseConnectionsUsedShare',
      comparison: '>=',
      threshold: t.databaseConnections.warningShare,
      resolveThreshold: t.databaseConnections.warningResolveShare,
      summary:
        "{{value}} of the database server's connections in use, all clients together (threshold {{threshold}})",
      action: connectionLimitSteps,
    },
    {
      ...operator,
      name: 'DatabaseConnectionsExhausted',
      severity: 'critical',
      forSeconds: t.databaseConnections.criticalForSeconds,
      input: 'databaseConnectionsUsedShare',
      comparison: '>=',
      threshold: t.databaseConnections.criticalShare,
      resolveThreshold: t.databaseConnections.criticalResolveShare,
      summary:
        "{{value}} of the database server's connections in use (critical at {{threshold}}): the next ones are refused",
      action: [
        'now: lower AGENT_DB_POOL_MAX (or COLLECTOR_DB_POOL_MAX) and restart those processes one at a time, or stop a process you can spare (a second collector, a psql session)',
        ...connectionLimitSteps,
      ],
    },
    {
      ...operator,
      name: 'ApiLatencyHigh',
      severity: 'warning',
      forSeconds: t.latency.forSeconds,
      input: 'latencyP95',
      comparison: '>',
      threshold: t.latency.p95WarningSeconds,
      resolveThreshold: t.latency.p95WarningResolveSeconds,
      summary: 'API p95 latency {{value}} (threshold {{threshold}})',
      action: ['look at DB query p95 by query and pool pending', 'check event-loop delay and CPU'],
    },
    {
      ...operator,
      name: 'ApiLatencyCritical',
      severity: 'critical',
      forSeconds: t.latency.forSeconds,
      input: 'latencyP95',
      comparison: '>',
      threshold: t.latency.p95CriticalSeconds,
      resolveThreshold: t.latency.p95CriticalResolveSeconds,
      summary: 'API p95 latency {{value}} (critical above {{threshold}})',
      action: ['find the slow route and query now', 'roll back the last deployment if it started with it'],
    },
    {
      ...operator,
      name: 'ApiErrorRatioHigh',
      severity: 'warning',
      forSeconds: t.errors.warningForSeconds,
      input: 'errorRatio',
      comparison: '>',
      threshold: t.errors.warningRatio,
      resolveThreshold: t.errors.warningResolveRatio,
      guards: [minTraffic],
      summary: '{{value}} of API requests answered 5xx (threshold {{threshold}})',
      action: ['read the agent log for the failing route', 'check the database is reachable'],
    },
    {
      ...operator,
      name: 'ApiErrorRatioCritical',
      severity: 'critical',
      forSeconds: t.errors.criticalForSeconds,
      input: 'errorRatio',
      comparison: '>',
      threshold: t.errors.criticalRatio,
      resolveThreshold: t.errors.criticalResolveRatio,
      guards: [minTraffic],
      summary: '{{value}} of API requests answered 5xx (critical above {{threshold}})',
      action: ['roll back the last deployment if it started with it', 'check the database and Redis'],
    },
    {
      ...operator,
      name: 'EventLoopDelayHigh',
      severity: 'warning',
      forSeconds: t.eventLoop.forSeconds,
      input: 'eventLoopP99',
      comparison: '>',
      threshold: t.eventLoop.p99Seconds,
      resolveThreshold: t.eventLoop.resolveP99Seconds,
      summary: 'event-loop p99 delay {{value}} (threshold {{threshold}})',
      action: [
        'look for synchronous work in request handlers (hashing, JSON of large bodies)',
        'add an instance',
      ],
    },
    {
      ...operator,
      name: 'HeapUsedHigh',
      severity: 'warning',
      forSeconds: t.memory.forSeconds,
      input: 'heapUsedBytes',
      comparison: '>',
      threshold: t.memory.heapUsedBytes,
      resolveThreshold: t.memory.heapResolveBytes,
      summary: 'V8 heap used {{value}} (threshold {{threshold}})',
      action: ['take a heap snapshot and look for a leak', 'restart the instance if it keeps growing'],
    },
    {
      ...operator,
      name: 'RssHigh',
      severity: 'warning',
      forSeconds: t.memory.forSeconds,
      input: 'rssBytes',
      comparison: '>',
      threshold: t.memory.rssBytes,
      resolveThreshold: t.memory.rssResolveBytes,
      summary: 'resident memory {{value}} (threshold {{threshold}})',
      action: [
        'compare with heap used: native memory or buffers if the heap is small',
        'restart the instance',
      ],
    },
    {
      ...operator,
      name: 'RateLimitRejectionsSurging',
      severity: 'warning',
      forSeconds: t.rateLimit.forSeconds,
      input: 'rateLimitRejectionsPerSecond',
      comparison: '>',
      threshold: t.rateLimit.rejectionsPerSecond,
      keepFiringForSeconds: t.rateLimit.keepFiringSeconds,
      summary: '{{value}} requests rejected by rate limits (threshold {{threshold}})',
      action: ['find the client in the load balancer log', 'raise RATE_LIMIT_API if real traffic outgrew it'],
    },
  ];
}

function freshnessAndBusinessRules(t: AlertThresholds): AlertRule[] {
  return [
    {
      name: 'HealthSourceStale',
      severity: 'warning',
      forSeconds: t.staleness.forSeconds,
      audience: 'operator',
      input: 'healthAgeSeconds',
      comparison: '>',
      threshold: t.staleness.healthIntervalSeconds * t.staleness.healthStaleIntervals,
      keepFiringForSeconds: t.staleness.healthKeepFiringSeconds,
      guards: [],
      summary: 'no successful health scrape for {{value}} (threshold {{threshold}})',
      action: [
        'check the agents are up and their metrics port answers',
        'check AGENT_METRICS_URLS or Prometheus',
      ],
    },
    {
      name: 'KpiRefreshStale',
      severity: 'warning',
      forSeconds: t.staleness.forSeconds,
      audience: 'both',
      input: 'kpiAgeSeconds',
      comparison: '>',
      threshold: t.staleness.kpiMaxAgeSeconds,
      keepFiringForSeconds: t.staleness.kpiKeepFiringSeconds,
      guards: [],
      summary: 'KPIs not refreshed for {{value}} (threshold {{threshold}})',
      action: ['check the collector can reach the database', 'read the collector log'],
    },
    {
      name: 'LegacyFollowStale',
      severity: 'warning',
      forSeconds: t.legacyFollow.forSeconds,
      keepFiringForSeconds: t.legacyFollow.keepFiringSeconds,
      audience: 'operator',
      input: 'legacyFollowStaleFiles',
      comparison: '>',
      threshold: 0,
      guards: [],
      summary: `{{value}} followed legacy SQLite file(s) not synced for more than ${t.legacyFollow.staleIntervals} intervals: following stopped or failing`,
      action: [
        'restart `pulse import-sqlite FILE --follow`',
        'see the last error: GET /api/scaling (legacyFollow) or the Scaling view',
      ],
    },
    {
      name: 'LogoChurnHigh',
      severity: 'warning',
      forSeconds: t.business.forSeconds,
      audience: 'founder',
      input: 'logoChurnLastMonth',
      comparison: '>',
      threshold: t.business.logoChurnMonthly,
      resolveThreshold: t.business.logoChurnResolveMonthly,
      guards: [
        { input: 'pledgersAtStartLastMonth', comparison: '>=', threshold: t.business.minPledgersAtStart },
      ],
      summary: 'last month {{value}} of pledgers stopped pledging (threshold {{threshold}})',
      action: ['look at churn by artist: one artist leaving takes their fans', 'ask churned fans why'],
    },
    {
      name: 'ConversionDropped',
      severity: 'warning',
      forSeconds: t.business.forSeconds,
      audience: 'founder',
      input: 'conversionRelativeDrop',
      comparison: '>',
      threshold: t.business.conversionRelativeDrop,
      resolveThreshold: t.business.conversionResolveRelativeDrop,
      guards: [
        { input: 'conversionCohortLastMature', comparison: '>=', threshold: t.business.minConversionCohort },
      ],
      summary: `30-day conversion {{value}} below the trailing ${t.business.conversionTrailingPeriods} months (threshold {{threshold}})`,
      action: [
        'check registration and first-pledge flows for errors',
        'compare traffic sources of the cohort',
      ],
    },
  ];
}

/** The catalog for a set of thresholds and objectives (the collector passes its configured ones). */
export function buildAlertRules(
  thresholds: AlertThresholds = alertThresholds,
  slos: readonly SloDefinition[] = sloCatalog,
): readonly AlertRule[] {
  const rules = [
    ...milestoneRules(thresholds),
    ...operationRules(thresholds),
    ...freshnessAndBusinessRules(thresholds),
    ...burnRateRules(slos, thresholds),
  ];
  const names = new Set(rules.map((rule) => rule.name));
  if (names.size !== rules.length) throw new Error('alert rule names must be unique');
  for (const rule of rules) checkNoFlapping(rule);
  return rules;
}

/**
 * Every rule resolves with a margin: a resolve threshold on the lenient side of its threshold, or a
 * keep-firing time — so a figure hovering at the line does not fire and resolve at every evaluation.
 */
export function checkNoFlapping(rule: AlertRule): void {
  const keep = rule.keepFiringForSeconds ?? 0;
  if (!Number.isInteger(keep) || keep < 0) throw new Error(`${rule.name}: keepFiringForSeconds ${keep}`);
  const resolve = rule.resolveThreshold;
  if (resolve === undefined) {
    if (keep === 0) throw new Error(`${rule.name}: needs a resolveThreshold or a keepFiringForSeconds`);
    return;
  }
  const lenient =
    rule.comparison === '>' || rule.comparison === '>=' ? resolve < rule.threshold : resolve > rule.threshold;
  if (!lenient) throw new Error(`${rule.name}: resolveThreshold ${resolve} is not past ${rule.threshold}`);
}

export const alertRules: readonly AlertRule[] = buildAlertRules();
