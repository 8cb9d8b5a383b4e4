// How the thresholds table reads an alert rule: the input in words and its threshold in the input's unit
// ("API latency p95 > 500 ms", "heap used > 1 GiB"), the `for` as a duration, the audience in words. The
// unit comes with the rule from the catalog; the labels are typed against the server's input list
// (AlertInput): a new input fails svelte-check until it is named here.
import type { BurnInput } from '../../../../core/alerts/burn-rate-rules.ts';
import type { SloId } from '../../../../core/slo/slo-catalog.ts';
import type { AlertInput, AlertUnit, CatalogAlertRule } from '../../lib/api-types.ts';

/** Each input in words; its unit comes with the rule from the catalog. */
const catalogInputLabels: Record<Exclude<AlertInput, BurnInput>, string> = {
  users: 'users',
  embeddedDatabase: 'embedded database',
  poolPending: 'callers waiting for a connection',
  poolUsedShare: 'pool in use',
  requestsPerSecond: 'requests',
  latencyP95: 'API latency p95',
  errorRatio: 'error ratio (5xx)',
  eventLoopP99: 'event-loop delay p99',
  heapUsedBytes: 'heap used',
  rssBytes: 'resident memory',
  rateLimitRejectionsPerSecond: 'rate-limit rejections',
  healthAgeSeconds: 'time since the last health scrape',
  kpiAgeSeconds: 'time since the KPIs were read',
  legacyFollowStaleFiles: 'legacy files without a sync for 3 intervals',
  logoChurnLastMonth: 'logo churn last month',
  pledgersAtStartLastMonth: 'pledgers at the start of last month',
  conversionRelativeDrop: 'relative drop in conversion',
  conversionCohortLastMature: 'users in the last mature cohort',
  databaseConnectionsUsedShare: "database server's connections in use",
  sensitiveFilesServed: 'sensitive files served by the app',
};

const sloLabels: Record<SloId, string> = {
  PledgeApiAvailability: 'availability',
  PledgeApiLatency: 'latency',
  PledgeWrites: 'pledge writes',
};

/** "availability budget burn (fast)": the row of the workbook's table (its windows are in the summary). */
function burnLabel(input: BurnInput): string {
  const [, slo, row] = /^(\w+)Burn(\w+)$/.exec(input) ?? [];
  return `${sloLabels[slo as SloId] ?? slo} budget burn (${row?.toLowerCase()})`;
}

function inputLabel(input: AlertInput): string {
  return input in catalogInputLabels
    ? catalogInputLabels[input as Exclude<AlertInput, BurnInput>]
    : burnLabel(input as BurnInput);
}

/** Up to three significant digits, trailing zeros dropped. */
function trim(value: number): string {
  return String(Number(value.toPrecision(3)));
}

export function formatThreshold(value: number, unit: AlertUnit): string {
  switch (unit) {
    case 'ratio':
      return `${trim(value * 100)} %`;
    case 'seconds':
      return formatDuration(value);
    case 'bytes':
      return value >= 1024 ** 3 ? `${trim(value / 1024 ** 3)} GiB` : `${trim(value / 1024 ** 2)} MiB`;
    case 'perSecond':
      return `${trim(value)}/s`;
    case 'flag':
      return value >= 1 ? 'on' : 'off';
    case 'count':
      return value.toLocaleString('en-US');
    case 'factor':
      return `${trim(value)}×`;
  }
}

/** 0.5 → "500 ms", 15 → "15 s", 300 → "5 min". */
export function formatDuration(seconds: number): string {
  if (seconds > 0 && seconds < 1) return `${trim(seconds * 1000)} ms`;
  if (seconds >= 120 || (seconds >= 60 && seconds % 60 === 0)) return `${trim(seconds / 60)} min`;
  return `${trim(seconds)} s`;
}

const comparisons: Record<string, string> = { '>=': '≥', '<=': '≤' };

export function conditionText(rule: CatalogAlertRule): string {
  const label = inputLabel(rule.input as AlertInput) ?? rule.input;
  const comparison = comparisons[rule.comparison] ?? rule.comparison;
  return `${label} ${comparison} ${formatThreshold(rule.threshold, rule.unit)}`;
}

/** The comparison a firing rule's figure must reach to resolve: the opposite of its own. */
const resolvedComparisons: Record<string, string> = { '>': '≤', '>=': '<', '<': '≥', '<=': '>' };

/**
 * How a firing alert resolves: "≤ 0.5 %" (hysteresis: back past the resolve threshold), "after 5 min without"
 * (keep-firing: that long after the condition last held), both joined, or "at once".
 */
export function resolveText(rule: CatalogAlertRule): string {
  const parts: string[] = [];
  if (rule.resolveThreshold !== null) {
    const comparison = resolvedComparisons[rule.comparison] ?? `not ${rule.comparison}`;
    parts.push(`${comparison} ${formatThreshold(rule.resolveThreshold, rule.unit)}`);
  }
  if (rule.keepFiringForSeconds > 0) parts.push(`after ${formatDuration(rule.keepFiringForSeconds)} without`);
  return parts.length > 0 ? parts.join(', ') : 'at once';
}

export function forText(seconds: number): string {
  return seconds === 0 ? 'at once' : formatDuration(seconds);
}

export const audienceText: Record<CatalogAlertRule['audience'], string> = {
  operator: 'operator',
  founder: 'founder only',
  both: 'operator and founder',
};
