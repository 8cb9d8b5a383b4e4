// Each input of the alert catalog (core/alerts/rules.ts `alertInputs`) as PromQL over what Prometheus scrapes:
// the agents' OpenTelemetry metrics (expressions from core/telemetry/promql.ts, so the collector's
// Prometheus health source, the rules and the panels compute the same figures), the collector's `pledgr_*`
// gauges and the SLO burn rates recorded by slo-recording-rules.ts (burn-inputs.ts). An input Prometheus
// cannot compute carries the reason instead, and its rules are left out.

import type { AlertComparison, AlertInput } from '../../core/alerts/rules.ts';
import {
  collectorMetric,
  databaseConnectionMetrics as connections,
} from '../../core/telemetry/collector-metric-names.ts';
import { promql } from '../../core/telemetry/promql.ts';
import { burnPromInputs } from './burn-inputs.ts';
import { agentJob, instanceLabels, promDuration, rateWindow } from './settings.ts';

/** An instant vector compared with the threshold: `<expr> > 0.01`. */
export interface ValueInput {
  readonly kind: 'value';
  readonly expr: string;
  /** True: one series per agent process (the catalog judges the worst instance); false: one total. */
  readonly perInstance: boolean;
}

/** A condition over a time window whose length is the threshold (staleness): no plain comparison. */
export interface WindowInput {
  readonly kind: 'window';
  readonly condition: (thresholdSeconds: number) => string;
  readonly perInstance: boolean;
  /** What the condition means, for the rule's description. */
  readonly explanation: (thresholdSeconds: number) => string;
  /** Which series the alert names, for the description (a template over its labels). */
  readonly subject?: string;
}

export interface UnavailableInput {
  readonly kind: 'unavailable';
  readonly reason: string;
}

export type PromInput = ValueInput | WindowInput | UnavailableInput;

const total = (expr: string): ValueInput => ({ kind: 'value', expr, perInstance: false });
const worstInstance = (expr: string): ValueInput => ({ kind: 'value', expr, perInstance: true });
const previousMonth = (metric: string) => total(`${metric}{period="previous_month"}`);

export const promInputs: Readonly<Record<AlertInput, PromInput>> = {
  // Each SLO's burn rate per row of the workbook's table: min(long, short) of the recorded burn rates.
  ...burnPromInputs(),
  // The collector's gauge of all users (usersAtEnd of the open month = every user registered so far).
  users: total('pledgr_users{period="current_month"}'),
  embeddedDatabase: {
    kind: 'unavailable',
    reason:
      'no metric says which database the collector runs on (the agents label every query db_system_name="postgresql", PGlite included), and in docker-compose it is always PostgreSQL',
  },
  poolPending: total(promql.poolPending([])),
  poolUsedShare: total(`${promql.poolUsed([])} / ${promql.poolMax([])}`),
  requestsPerSecond: total(promql.requestsPerSecond([], rateWindow)),
  latencyP95: total(promql.latencyQuantile(0.95, [], rateWindow)),
  errorRatio: total(promql.errorRatio([], rateWindow)),
  eventLoopP99: worstInstance(promql.eventLoopP99(instanceLabels)),
  heapUsedBytes: worstInstance(promql.heapUsedBytes(instanceLabels)),
  rssBytes: worstInstance(promql.rssBytes(instanceLabels)),
  rateLimitRejectionsPerSecond: total(promql.rateLimitRejectionsPerSecond([], rateWindow)),
  // Prometheus-native staleness: every scrape of the agent failed over the whole window.
  healthAgeSeconds: {
    kind: 'window',
    perInstance: true,
    subject: 'Target {{ $labels.instance }} (job {{ $labels.job }}).',
    condition: (seconds) => `max_over_time(up{job="${agentJob}"}[${promDuration(seconds)}]) == 0`,
    explanation: (seconds) =>
      `every scrape of the agent failed for ${promDuration(seconds)} (up == 0 throughout)`,
  },
  // The collector serves its gauges from the last good report, flagged stale, while the database cannot be
  // read: stale in every scrape of the window, and scraped already at its start (so a Prometheus that has
  // just started does not announce a staleness it has not seen for that long).
  kpiAgeSeconds: {
    kind: 'window',
    perInstance: false,
    condition: (seconds) =>
      `min_over_time(${collectorMetric.kpiReportStale}[${promDuration(seconds)}]) == 1 and present_over_time(${collectorMetric.kpiReportStale}[${rateWindow}] offset ${promDuration(seconds)})`,
    explanation: (seconds) =>
      `the collector served stale KPI gauges (pledgr_kpi_report_stale == 1) in every scrape for ${promDuration(seconds)}`,
  },
  legacyFollowStaleFiles: {
    kind: 'unavailable',
    reason:
      'the follow state of pulse import-sqlite --follow is a row in the database (legacy_follow), not among the gauges',
  },
  logoChurnLastMonth: previousMonth('pledgr_logo_churn_ratio'),
  pledgersAtStartLastMonth: previousMonth('pledgr_pledgers_at_start'),
  conversionRelativeDrop: {
    kind: 'unavailable',
    reason:
      'needs the 30-day conversion of the last mature month and of the 3 months before it; the gauges carry only the current and previous month, and the previous month is not mature yet',
  },
  conversionCohortLastMature: {
    kind: 'unavailable',
    reason: 'the cohort of the last mature month is not among the gauges (see conversionRelativeDrop)',
  },
  // The collector's gauges of the server's connections (read from PostgreSQL on the primary); max() over
  // collectors: two collectors on one database report the same server.
  databaseConnectionsUsedShare: total(
    `max(${connections.used}) / max(${connections.max} - ${connections.reserved})`,
  ),
  sensitiveFilesServed: {
    kind: 'unavailable',
    reason:
      'the collector asks the monitored app for its sensitive files itself (MONITORED_APP_URLS) and judges the answers by their content; no metric carries that',
  },
};

/** `<expr> > 0.01`, parenthesised so it can be joined with `and`. */
export function comparison(input: ValueInput, comparison: AlertComparison, threshold: number): string {
  return `(${input.expr}) ${comparison} ${threshold}`;
}
