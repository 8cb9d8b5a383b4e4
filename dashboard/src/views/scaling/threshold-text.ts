// How the thresholds table reads an alert rule: the input in words and its threshold in the input's unit
// ("API latency p95 > 500 ms", "heap used > 1 GiB"), the `for` as a duration, the audience in words. The
// input list is typed against the server's own (AlertInput): a new input fails svelte-check until it is
// named here.
import type { AlertInput, AlertUnit, CatalogAlertRule } from '../../lib/api-types.ts';

const inputs: Record<AlertInput, { readonly label: string; readonly unit: AlertUnit }> = {
  users: { label: 'users', unit: 'count' },
  embeddedDatabase: { label: 'embedded database', unit: 'flag' },
  poolPending: { label: 'callers waiting for a connection', unit: 'count' },
  poolUsedShare: { label: 'pool in use', unit: 'ratio' },
  requestsPerSecond: { label: 'requests', unit: 'perSecond' },
  latencyP95: { label: 'API latency p95', unit: 'seconds' },
  errorRatio: { label: 'error ratio (5xx)', unit: 'ratio' },
  eventLoopP99: { label: 'event-loop delay p99', unit: 'seconds' },
  heapUsedBytes: { label: 'heap used', unit: 'bytes' },
  rssBytes: { label: 'resident memory', unit: 'bytes' },
  rateLimitRejectionsPerSecond: { label: 'rate-limit rejections', unit: 'perSecond' },
  healthAgeSeconds: { label: 'time since the last health scrape', unit: 'seconds' },
  kpiAgeSeconds: { label: 'time since the KPIs were read', unit: 'seconds' },
  logoChurnLastMonth: { label: 'logo churn last month', unit: 'ratio' },
  pledgersAtStartLastMonth: { label: 'pledgers at the start of last month', unit: 'count' },
  conversionRelativeDrop: { label: 'relative drop in conversion', unit: 'ratio' },
  conversionCohortLastMature: { label: 'users in the last mature cohort', unit: 'count' },
};

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
  const input = inputs[rule.input as AlertInput] ?? { label: rule.input, unit: 'count' };
  const comparison = comparisons[rule.comparison] ?? rule.comparison;
  return `${input.label} ${comparison} ${formatThreshold(rule.threshold, input.unit)}`;
}

export function forText(seconds: number): string {
  return seconds === 0 ? 'at once' : formatDuration(seconds);
}

export const audienceText: Record<CatalogAlertRule['audience'], string> = {
  operator: 'operator',
  founder: 'founder only',
  both: 'operator and founder',
};
