// "Pledgr Pulse — live health" (operators): per route and per instance request rate, error ratio and
// latency, database query p95 and pool, memory, event loop, rate-limit rejections and the profile cache's hit
// ratio, and a canary row comparing versions side by side. Every expression is the collector's
// (core/telemetry/promql.ts) with the dashboard's variables added as matchers.

import { alertThresholds } from '../../core/alerts/thresholds.ts';
import { defaultRolloutOptions, guideRollouts } from '../../core/scaling/rollout-guide.ts';
import { label, metric } from '../../core/telemetry/agent-metric-names.ts';
import { type Grouping, promql } from '../../core/telemetry/promql.ts';
import { narrow } from '../builder/agent-promql.ts';
import { dashboard } from '../builder/dashboard.ts';
import { prometheusDatasource as datasource } from '../builder/datasources.ts';
import { type PanelDraft, stat, timeseries } from '../builder/panels.ts';
import { prom } from '../builder/queries.ts';
import type { Dashboard } from '../builder/types.ts';
import { labelValuesVariable, variableMatcher } from '../builder/variables.ts';

const route = label.route;
const errors = alertThresholds.errors;
const percent = (ratio: number) => `${ratio * 100} %`;

const variables = {
  instance: {
    name: 'instance',
    label: 'Instance',
    description: 'Agent process (service.instance.id); every agent series has it.',
    metric: metric.rss,
    labelName: label.instance,
  },
  route: {
    name: 'route',
    label: 'Route',
    description: 'Route template (http.route). Only the HTTP panels have routes to filter.',
    metric: `${metric.httpDuration}_count`,
    labelName: route,
  },
  version: {
    name: 'version',
    label: 'Version',
    description: 'Agent version (service.version).',
    metric: metric.rss,
    labelName: label.version,
  },
} as const;

const matchers = {
  other: [variableMatcher(variables.instance), variableMatcher(variables.version)],
  http: [
    variableMatcher(variables.instance),
    variableMatcher(variables.version),
    variableMatcher(variables.route),
  ],
};

// Depends on the scrape interval: Grafana makes $__rate_interval max(step + scrape interval, 4 × scrape
// interval), the scrape interval being the Prometheus datasource's `timeInterval` (15s in
// provisioning/datasources/datasources.yml, which must equal prometheus/prometheus.yml's scrape_interval).
// So rates span at least 1m, the same window as the Prometheus alert rules: never fewer than two samples
// even with a missed scrape. With a shorter scrape interval, change both files together.
const window = '$__rate_interval';

const q = (expr: string, legend: string) => prom(narrow(expr, matchers), legend);
const byInstance: Grouping = [label.instance];
const byRoute: Grouping = [route];
const byVersion: Grouping = [label.version, label.canary];
const instanceLegend = `{{${label.instance}}}`;
const routeLegend = `{{${route}}}`;
const versionLegend = `{{${label.version}}} (canary={{${label.canary}}})`;
const byVersionOnly: Grouping = [label.version];

// The scaling guide's rollout steps (../shared/SCALING-GUIDE.md, "Deployment Strategies"), as the collector
// walks them (collector/health/rollout.ts): the step follows the new version's share of requests.
const rolloutSteps = [
  `${guideRollouts.canary.title}: ${guideRollouts.canary.steps.map((step, i) => `${i + 1}. ${step}`).join(' ')}`,
  `${guideRollouts['blue-green'].title}: ${guideRollouts['blue-green'].steps.map((step, i) => `${i + 1}. ${step}`).join(' ')}`,
].join('\n\n');
const share = defaultRolloutOptions;
const sharePercent = (ratio: number) => `${Math.round(ratio * 1000) / 10} %`;

function requestRate(by: Grouping, legend: string, split: string): PanelDraft {
  return timeseries({
    title: `Requests/s by ${split}`,
    description: `HTTP requests per second by ${split}, every status; unmatched paths have no route.`,
    datasource,
    unit: 'reqps',
    min: 0,
    queries: [q(promql.requestsPerSecond(by, window), legend)],
  });
}

function errorRatio(by: Grouping, legend: string, split: string, w = 12): PanelDraft {
  return timeseries({
    title: `Error ratio (5xx) by ${split}`,
    description: `5xx answers ÷ all answers by ${split} (0 while there are requests and no 5xx). Alerts: ${percent(errors.warningRatio)} warning, ${percent(errors.criticalRatio)} critical.`,
    datasource,
    unit: 'percentunit',
    min: 0,
    w,
    thresholds: [
      { value: errors.warningRatio, color: 'orange' },
      { value: errors.criticalRatio, color: 'red' },
    ],
    queries: [q(promql.errorRatio(by, window), legend)],
  });
}

function latency(by: Grouping, legend: string, split: string): PanelDraft {
  return timeseries({
    title: `Latency p50 / p95 / p99 by ${split}`,
    description: `Server-side request duration quantiles by ${split}, from the histogram's bucket rates (interpolated within a bucket).`,
    datasource,
    unit: 's',
    min: 0,
    queries: [0.5, 0.95, 0.99].map((quantile) =>
      q(promql.latencyQuantile(quantile, by, window), `p${Math.round(quantile * 100)} ${legend}`),
    ),
  });
}

function perInstance(title: string, description: string, expr: string, unit: string): PanelDraft {
  return timeseries({
    title,
    description,
    datasource,
    unit,
    min: 0,
    w: 8,
    queries: [q(expr, instanceLegend)],
  });
}

export function liveHealthDashboard(): Dashboard {
  return dashboard({
    uid: 'pledgr-live-health',
    title: 'Pledgr Pulse — live health',
    description: 'Request rate, errors, latency, database, memory and event loop of every agent instance.',
    tags: ['pledgr', 'pledgr-ops'],
    time: { from: 'now-1h', to: 'now' },
    refresh: '30s',
    variables: [variables.instance, variables.route, variables.version].map((v) =>
      labelValuesVariable(v, datasource),
    ),
    rows: [
      {
        title: 'Traffic and errors',
        panels: [
          requestRate(byRoute, routeLegend, 'route'),
          requestRate(byInstance, instanceLegend, 'instance'),
          errorRatio(byRoute, routeLegend, 'route'),
          errorRatio(byInstance, instanceLegend, 'instance'),
        ],
      },
      {
        title: 'Latency',
        panels: [latency(byRoute, routeLegend, 'route'), latency(byInstance, instanceLegend, 'instance')],
      },
      {
        title: 'Database',
        panels: [
          timeseries({
            title: 'DB query p95 by query',
            description:
              'p95 duration of each named query (db.query.summary, e.g. pledges.insert), recorded once per query by the data layer.',
            datasource,
            unit: 's',
            min: 0,
            queries: [q(promql.dbQueryP95([], window), `{{${label.querySummary}}}`)],
          }),
          timeseries({
            title: 'Connection pool by instance',
            description:
              'Connections in use and idle, callers waiting for one (pending), and the pool size (max). PGlite is a pool of one connection with a queue.',
            datasource,
            unit: 'short',
            min: 0,
            queries: [
              q(promql.poolUsed(byInstance), `used ${instanceLegend}`),
              q(promql.poolIdle(byInstance), `idle ${instanceLegend}`),
              q(promql.poolPending(byInstance), `pending ${instanceLegend}`),
              q(promql.poolMax(byInstance), `max ${instanceLegend}`),
            ],
          }),
        ],
      },
      {
        title: 'Runtime',
        panels: [
          perInstance(
            'Heap used',
            'V8 heap in use, all heap spaces.',
            promql.heapUsedBytes(byInstance),
            'bytes',
          ),
          perInstance('RSS', 'Resident set size of the agent process.', promql.rssBytes(byInstance), 'bytes'),
          perInstance(
            'Event-loop delay p99',
            'How long a ready callback waited for the event loop (p99 since the last read).',
            promql.eventLoopP99(byInstance),
            's',
          ),
          timeseries({
            title: 'Rate-limit rejections/s',
            description:
              'Requests refused with 429 per second, by limiter (api, auth). The series exists while a limiter is on.',
            datasource,
            unit: 'reqps',
            min: 0,
            queries: [
              q(
                promql.rateLimitRejectionsPerSecond([label.instance, label.limiter], window),
                `{{${label.limiter}}} ${instanceLegend}`,
              ),
            ],
          }),
          timeseries({
            title: 'Profile cache hit ratio',
            description:
              "Hits ÷ all look-ups (hit, miss, Redis error) of the signed-in user's profile in Redis (the scaling guide's caching strategy), in total and by instance. No series: no agent has REDIS_URL set (no cache).",
            datasource,
            unit: 'percentunit',
            min: 0,
            max: 1,
            queries: [
              q(promql.cacheHitRatio([], window), 'all instances'),
              q(promql.cacheHitRatio(byInstance, window), instanceLegend),
            ],
          }),
        ],
      },
      {
        title: 'Canary comparison and rollout (by version)',
        panels: [
          timeseries({
            title: 'Requests/s by version',
            description:
              'Traffic each version gets: a canary comparison needs enough requests on both sides.',
            datasource,
            unit: 'reqps',
            min: 0,
            w: 8,
            queries: [q(promql.requestsPerSecond(byVersion, window), versionLegend)],
          }),
          errorRatio(byVersion, versionLegend, 'version', 8),
          timeseries({
            title: 'Latency p95 by version',
            description:
              'p95 of each version side by side; the collector calls a canary degraded at 1.5× the baseline p95.',
            datasource,
            unit: 's',
            min: 0,
            w: 8,
            queries: [q(promql.latencyQuantile(0.95, byVersion, window), versionLegend)],
          }),
          stat({
            title: 'Rollout: traffic share by version',
            description: [
              `Each version's share of all requests (the rate by version ÷ the total rate). The collector's rollout walk (GET /api/health \`rollout\`, the Live health view's Rollout panel) reads the step from the new version's share over the last minute: canary — under ${sharePercent(share.canaryShare - share.shareTolerance)} step 1, about ${sharePercent(share.canaryShare)} (±${sharePercent(share.shareTolerance)}) step 2, above that step 3, from ${sharePercent(share.fullShare)} step 4; blue-green — under ${sharePercent(share.switchShare)} step 2 (testing), up to ${sharePercent(share.fullShare)} step 3 (switching), then step 4 (monitoring) or 5 (roll back when the comparison fails). The verdicts (error ratio and p95 against the baseline) are the collector's; the Canary comparison panels above show the same figures.`,
              rolloutSteps,
            ].join('\n\n'),
            datasource,
            unit: 'percentunit',
            min: 0,
            max: 1,
            decimals: 1,
            w: 12,
            queries: [
              q(
                `${promql.requestsPerSecond(byVersionOnly, window)} / scalar(${promql.requestsPerSecond([], window)})`,
                `{{${label.version}}}`,
              ),
            ],
          }),
          stat({
            title: 'Rollout: versions serving',
            description:
              'How many versions answered requests over the rate window. 1 means no rollout in progress — or, after one, "Full deployment if successful" (canary) or the switch complete (blue-green): only one version left serving. 2 or more: a rollout is under way; its step and verdict are on the Live health view.',
            datasource,
            unit: 'short',
            min: 0,
            decimals: 0,
            w: 12,
            thresholds: [{ value: 2, color: 'orange' }],
            queries: [q(`count(${promql.requestsPerSecond(byVersionOnly, window)} > 0)`, 'versions serving')],
          }),
        ],
      },
    ],
  });
}
