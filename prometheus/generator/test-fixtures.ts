// Input series for the generated promtool tests: for each catalog input, the scraped series (in promtool's
// expanding notation, one sample every scrape interval) that make the input take a given value. Each is
// worked out so a rule that reads the wrong series fails a test: two agents whose figures must be summed
// (or judged one by one), 4xx answers that are not errors, idle connections that are not in use, heap
// spaces that must be added up, and the other KPI period holding the opposite value.
import type { AlertInput } from '../../core/alerts/rules.ts';
import { agentJob, collectorJob, scrapeIntervalSeconds } from './settings.ts';

export interface InputSeries {
  readonly series: string;
  readonly values: string;
}

export interface Fixture {
  readonly series: InputSeries[];
  /** The labels of the series the alert fires on (besides the rule's own labels). */
  readonly alertLabels: Readonly<Record<string, string>>;
}

/** How a value reaches the input: exactly (gauges: step is the smallest meaningful change) or through rates. */
export type Precision = { readonly exact: true; readonly step: number } | { readonly exact: false };

const mebibyte = 1024 ** 2;
const agents = [
  { job: agentJob, instance: 'agent-1:9464', service_instance_id: 'agent-1-test', service_version: '1.0.0' },
  { job: agentJob, instance: 'agent-2:9464', service_instance_id: 'agent-2-test', service_version: '1.0.0' },
] as const;
const [agentA, agentB] = agents;
const collector = { job: collectorJob, instance: 'collector:4000' };
const instanceOf = (agent: (typeof agents)[number]) => ({
  instance: agent.instance,
  service_instance_id: agent.service_instance_id,
});
/** The agent's http.server.request.duration boundaries (agent/metrics/http-metrics.ts). */
const latencyBounds = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10];

/** Enough samples for every evaluation time of the tests (the longest is KpiRefreshStale's ~16 min). */
export const samplesPerSeries = 80;

function selector(name: string, labels: Readonly<Record<string, string>>): string {
  const pairs = Object.entries(labels).map(([key, value]) => `${key}="${value}"`);
  return `${name}{${pairs.join(', ')}}`;
}

/** A value over time: the same number in every scrape, or runs of scrapes (the oscillation tests). */
export type Level = number | readonly Run[];
export interface Run {
  readonly value: number;
  readonly samples: number;
}

const mapLevel = (level: Level, f: (value: number) => number): Level =>
  typeof level === 'number' ? f(level) : level.map((run) => ({ value: f(run.value), samples: run.samples }));

const tidy = (value: number) => String(Number(value.toFixed(6)));
const gauge = (level: Level) =>
  typeof level === 'number'
    ? `${tidy(level)}x${samplesPerSeries}`
    : level.map((run) => `${tidy(run.value)}x${run.samples - 1}`).join(' ');
/**
 * A counter rising by `perSecond` × interval each scrape, from a base far from 0 (rate() never clips); with
 * runs, each run continues from where the previous one ended at its own rate.
 */
const counter = (level: Level) => {
  if (typeof level === 'number') {
    const increment = level * scrapeIntervalSeconds;
    return `${tidy(increment * 100)}+${tidy(increment)}x${samplesPerSeries}`;
  }
  let current = Math.max(1000, 100 * (level[0]?.value ?? 0) * scrapeIntervalSeconds);
  return level
    .map((run) => {
      const increment = run.value * scrapeIntervalSeconds;
      const text = `${tidy(current)}+${tidy(increment)}x${run.samples - 1}`;
      current += increment * run.samples;
      return text;
    })
    .join(' ');
};

/**
 * requests/s and error ratio share the HTTP counters: agent-1 answers the 5xx and half the rest, split
 * between 200 and 404 (a 4xx is not an error); agent-2 answers the other half with 200.
 */
function httpCounters(requestsPerSecond: number, errorRatio: Level): InputSeries[] {
  const ok = mapLevel(errorRatio, (ratio) => (requestsPerSecond * (1 - ratio)) / 2);
  const route = { http_route: '/api/artists/:id', http_request_method: 'GET' };
  const count = (agent: (typeof agents)[number], status: string, perSecond: Level): InputSeries => ({
    series: selector('http_server_request_duration_count', {
      ...agent,
      ...route,
      http_response_status_code: status,
    }),
    values: counter(perSecond),
  });
  return [
    count(
      agentA,
      '200',
      mapLevel(ok, (perSecond) => perSecond / 2),
    ),
    count(
      agentA,
      '404',
      mapLevel(ok, (perSecond) => perSecond / 2),
    ),
    count(
      agentA,
      '500',
      mapLevel(errorRatio, (ratio) => requestsPerSecond * ratio),
    ),
    count(agentB, '200', ok),
  ];
}

/**
 * Buckets whose p95 is `p95` by histogram_quantile's linear interpolation: with l < p95 <= u two adjacent
 * bounds, a share f of the requests at or below l and the rest in (l, u], p95 = l + (u − l)(0.95 − f)/(1 − f).
 * Both agents get the same distribution, so only the sum by le gives one series with that p95.
 */
function latencyBuckets(p95: Level): InputSeries[] {
  const bounds = [...latencyBounds.map(String), '+Inf'];
  return agents.flatMap((agent) =>
    bounds.map((le) => ({
      series: selector('http_server_request_duration_bucket', {
        ...agent,
        http_route: '/api/artists/:id',
        le,
      }),
      values: counter(mapLevel(p95, (value) => bucketRate(value, Number(le)))),
    })),
  );
}

/** Requests per second at or below `le` for a distribution whose p95 is `p95`. */
function bucketRate(p95: number, le: number): number {
  const upperIndex = latencyBounds.findIndex((bound) => bound >= p95);
  const lower = upperIndex > 0 ? (latencyBounds[upperIndex - 1] as number) : 0;
  const upper = latencyBounds[upperIndex];
  if (upper === undefined || lower === 0) throw new Error(`no bucket pair around ${p95}`);
  const x = (p95 - lower) / (upper - lower);
  const below = (0.95 - x) / (1 - x);
  if (!(below >= 0 && below < 0.95)) throw new Error(`p95 ${p95} cannot be placed in (${lower}, ${upper}]`);
  const perSecond = 1000 / scrapeIntervalSeconds;
  return le <= lower ? perSecond * below : perSecond;
}

/** A collector gauge for the KPI period the rule reads, and the other period holding `decoy`. */
function kpiGauge(metric: string, period: 'current_month' | 'previous_month', value: Level, decoy: number) {
  const other = period === 'current_month' ? 'previous_month' : 'current_month';
  return {
    series: [
      { series: selector(metric, { ...collector, period }), values: gauge(value) },
      { series: selector(metric, { ...collector, period: other }), values: gauge(decoy) },
    ],
    alertLabels: { ...collector, period },
  };
}

export interface FixtureInputs {
  readonly values: ReadonlyMap<AlertInput, Level>;
  /** Per input, the value of the opposite outcome, put where a rule reading the wrong series would see it. */
  readonly decoys: ReadonlyMap<AlertInput, number>;
}

export const precision: Partial<Record<AlertInput, Precision>> = {
  users: { exact: true, step: 1 },
  poolPending: { exact: true, step: 1 },
  poolUsedShare: { exact: true, step: 0.05 },
  eventLoopP99: { exact: true, step: 0.001 },
  heapUsedBytes: { exact: true, step: mebibyte },
  rssBytes: { exact: true, step: mebibyte },
  logoChurnLastMonth: { exact: true, step: 0.001 },
  databaseConnectionsUsedShare: { exact: true, step: 0.01 },
  pledgersAtStartLastMonth: { exact: true, step: 1 },
  requestsPerSecond: { exact: false },
  errorRatio: { exact: false },
  latencyP95: { exact: false },
  rateLimitRejectionsPerSecond: { exact: false },
};

/** The series for one scenario's input values; the alert labels are those of `main`'s series. */
export function fixtureFor(main: AlertInput, inputs: FixtureInputs): Fixture {
  const series: InputSeries[] = [];
  let alertLabels: Record<string, string> = {};
  const value = (input: AlertInput) => inputs.values.get(input) as Level;
  const decoy = (input: AlertInput) => {
    const given = inputs.decoys.get(input) ?? value(input);
    if (typeof given !== 'number') throw new Error(`${input}: a decoy is one value`);
    return given;
  };
  const constant = (input: AlertInput) => {
    const given = value(input);
    if (typeof given !== 'number') throw new Error(`${input}: only the main input may change over time`);
    return given;
  };
  const add = (input: AlertInput, built: Fixture) => {
    series.push(...built.series);
    if (input === main) alertLabels = { ...built.alertLabels };
  };
  const has = (input: AlertInput) => inputs.values.has(input);
  if (has('requestsPerSecond') || has('errorRatio'))
    add(has('errorRatio') ? 'errorRatio' : 'requestsPerSecond', {
      series: httpCounters(constant('requestsPerSecond'), has('errorRatio') ? value('errorRatio') : 0),
      alertLabels: {},
    });
  for (const input of inputs.values.keys()) {
    if (input === 'requestsPerSecond' || input === 'errorRatio') continue;
    add(input, build(input, value(input), decoy(input)));
  }
  return { series, alertLabels };
}

function build(input: AlertInput, value: Level, decoy: number): Fixture {
  switch (input) {
    case 'users':
      return kpiGauge('pledgr_users', 'current_month', value, decoy);
    case 'logoChurnLastMonth':
      return kpiGauge('pledgr_logo_churn_ratio', 'previous_month', value, decoy);
    case 'pledgersAtStartLastMonth':
      return kpiGauge('pledgr_pledgers_at_start', 'previous_month', value, decoy);
    case 'poolPending':
      return {
        series: [
          { series: selector('db_client_connection_pending_requests', agentA), values: gauge(value) },
          { series: selector('db_client_connection_pending_requests', agentB), values: gauge(0) },
        ],
        alertLabels: {},
      };
    case 'poolUsedShare': {
      // Two pools of 10: `value` × 20 connections in use, agent-1's pool filled first; idle ones are not used.
      const usedA = mapLevel(value, (share) => Math.min(10, Math.round(share * 20)));
      const usedB = mapLevel(value, (share) => Math.max(0, Math.round(share * 20) - 10));
      const pool = (agent: (typeof agents)[number], inUse: Level): InputSeries[] => [
        {
          series: selector('db_client_connection_count', { ...agent, db_client_connection_state: 'used' }),
          values: gauge(inUse),
        },
        {
          series: selector('db_client_connection_count', { ...agent, db_client_connection_state: 'idle' }),
          values: gauge(mapLevel(inUse, (used) => 10 - used)),
        },
        { series: selector('db_client_connection_max', agent), values: gauge(10) },
      ];
      return { series: [...pool(agentA, usedA), ...pool(agentB, usedB)], alertLabels: {} };
    }
    case 'latencyP95':
      return { series: latencyBuckets(value), alertLabels: {} };
    case 'databaseConnectionsUsedShare':
      return serverConnections(value);
    case 'eventLoopP99':
      return perInstanceGauge('nodejs_eventloop_delay_p99', value, 0.01);
    case 'rssBytes':
      return perInstanceGauge('process_memory_usage', value, 200 * mebibyte);
    case 'heapUsedBytes': {
      // Heap used is reported per V8 heap space: only their sum reaches the value.
      const space = (name: string) => ({ ...agentA, v8js_heap_space_name: name });
      return {
        series: [
          {
            series: selector('v8js_memory_heap_used', space('old_space')),
            values: gauge(mapLevel(value, (bytes) => bytes - 10 * mebibyte)),
          },
          { series: selector('v8js_memory_heap_used', space('new_space')), values: gauge(10 * mebibyte) },
          {
            series: selector('v8js_memory_heap_used', { ...agentB, v8js_heap_space_name: 'old_space' }),
            values: gauge(100 * mebibyte),
          },
        ],
        alertLabels: instanceOf(agentA),
      };
    }
    case 'rateLimitRejectionsPerSecond':
      return {
        series: [
          {
            series: selector('pledgr_rate_limit_rejections_total', { ...agentA, pledgr_rate_limiter: 'api' }),
            values: counter(mapLevel(value, (perSecond) => perSecond / 2)),
          },
          {
            series: selector('pledgr_rate_limit_rejections_total', {
              ...agentB,
              pledgr_rate_limiter: 'auth',
            }),
            values: counter(mapLevel(value, (perSecond) => perSecond / 2)),
          },
        ],
        alertLabels: {},
      };
    default:
      throw new Error(`no value fixture for ${input}`);
  }
}

/**
 * A server with max_connections 103 of which 3 are reserved for superusers: the share is of 100, so a rule
 * that forgot the reserved slots (80 of 103 = 77.7 %) misses the threshold. Two collectors report the same
 * server: the rule must read it once, not add them up.
 */
function serverConnections(share: Level): Fixture {
  const used = mapLevel(share, (value) => Math.round(value * 100));
  const series = (instance: string): InputSeries[] => {
    const labels = { job: collectorJob, instance };
    return [
      { series: selector('pledgr_database_connections', labels), values: gauge(used) },
      { series: selector('pledgr_database_max_connections', labels), values: gauge(103) },
      { series: selector('pledgr_database_reserved_connections', labels), values: gauge(3) },
    ];
  };
  return { series: [...series(collector.instance), ...series('collector-2:4000')], alertLabels: {} };
}

/** agent-1 at `value`, agent-2 healthy: the alert must name agent-1 alone. */
function perInstanceGauge(metric: string, value: Level, healthy: number): Fixture {
  return {
    series: [
      { series: selector(metric, agentA), values: gauge(value) },
      { series: selector(metric, agentB), values: gauge(healthy) },
    ],
    alertLabels: instanceOf(agentA),
  };
}

/** Staleness: agent-1 answers `answered` scrapes then none; agent-2 keeps answering. */
export function agentScrapes(answered: number): Fixture {
  const failed = samplesPerSeries + 1 - answered;
  return {
    series: [
      { series: selector('up', agentTarget(agentA)), values: `${'1 '.repeat(answered)}0x${failed - 1}` },
      { series: selector('up', agentTarget(agentB)), values: gauge(1) },
    ],
    alertLabels: agentTarget(agentA),
  };
}

/** KPI staleness: the collector's gauges fresh for `fresh` scrapes, then served stale. */
export function kpiStaleness(fresh: number): Fixture {
  const stale = samplesPerSeries + 1 - fresh;
  return {
    series: [
      {
        series: selector('pledgr_kpi_report_stale', collector),
        values: `${'0 '.repeat(fresh)}1x${stale - 1}`,
      },
    ],
    alertLabels: { ...collector },
  };
}

function agentTarget(agent: (typeof agents)[number]) {
  return { job: agent.job, instance: agent.instance };
}
