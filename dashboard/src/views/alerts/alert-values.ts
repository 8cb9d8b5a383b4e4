// How an alert's value reads, in the unit of its rule's input (seconds, ratios, bytes…). The unit comes from
// the server's input list (typed: a new input fails svelte-check until it is named here).
import type { AlertInput, AlertUnit } from '../../lib/api-types.ts';
import { catalog } from '../../lib/catalog.svelte.ts';
import {
  formatBytes,
  formatCount,
  formatRate,
  formatRatio,
  formatSeconds,
  missing,
  type Shown,
} from '../../lib/format.ts';

const units: Record<AlertInput, AlertUnit> = {
  users: 'count',
  embeddedDatabase: 'flag',
  poolPending: 'count',
  poolUsedShare: 'ratio',
  requestsPerSecond: 'perSecond',
  latencyP95: 'seconds',
  errorRatio: 'ratio',
  eventLoopP99: 'seconds',
  heapUsedBytes: 'bytes',
  rssBytes: 'bytes',
  rateLimitRejectionsPerSecond: 'perSecond',
  healthAgeSeconds: 'seconds',
  kpiAgeSeconds: 'seconds',
  logoChurnLastMonth: 'ratio',
  pledgersAtStartLastMonth: 'count',
  conversionRelativeDrop: 'ratio',
  conversionCohortLastMature: 'count',
};

export function formatAlertValue(alertname: string, value: number | null): Shown {
  if (value === null) return missing('the input was missing');
  const input = catalog.data?.alertRules.find((rule) => rule.name === alertname)?.input as
    | AlertInput
    | undefined;
  switch (input ? units[input] : 'count') {
    case 'ratio':
      return formatRatio(value, 'no data', 2);
    case 'seconds':
      return formatSeconds(value);
    case 'bytes':
      return formatBytes(value);
    case 'perSecond':
      return formatRate(value);
    case 'flag':
      return { text: value >= 1 ? 'yes' : 'no' };
    default:
      return formatCount(value);
  }
}

/** An ISO instant as local date and time ("24 Nov, 22:36:55"); "—" when absent. */
export function formatInstant(iso: string | null, reason = 'not yet'): Shown {
  if (!iso) return missing(reason);
  return {
    text: new Date(iso).toLocaleString('en-GB', {
      day: 'numeric',
      month: 'short',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    }),
  };
}
