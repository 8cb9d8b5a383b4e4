// How an alert's value reads, in the unit of its rule's input (seconds, ratios, bytes…), as the catalog
// (GET /api/catalog, from the server's alert-input list) gives it; and how a firing alert stops.
import type { AlertStatus } from '../../lib/api-types.ts';
import { catalog } from '../../lib/catalog.svelte.ts';
import {
  formatAge,
  formatBytes,
  formatCount,
  formatRate,
  formatRatio,
  formatSeconds,
  missing,
  type Shown,
} from '../../lib/format.ts';

export function formatAlertValue(alertname: string, value: number | null): Shown {
  if (value === null) return missing('the input was missing');
  switch (catalog.data?.alertRules.find((rule) => rule.name === alertname)?.unit ?? 'count') {
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
    case 'factor':
      return { text: `${Number(value.toPrecision(3))}×` };
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

const pastResolve: Record<string, string> = {
  '>': 'at or below',
  '>=': 'below',
  '<': 'at or above',
  '<=': 'above',
};

/**
 * How a firing alert stops (no flapping): "resolves at or below 0.5 %" (its resolve threshold, on the
 * far side of the rule's comparison) and/or "keeps firing 5 min after the condition stops"; null for none.
 */
export function stopsText(alert: AlertStatus): string | null {
  const parts: string[] = [];
  if (alert.resolveThreshold !== null) {
    const comparison = catalog.data?.alertRules.find((rule) => rule.name === alert.alertname)?.comparison;
    const past = pastResolve[comparison ?? '>'] ?? 'past';
    parts.push(`resolves ${past} ${formatAlertValue(alert.alertname, alert.resolveThreshold).text}`);
  }
  if (alert.keepFiringForSeconds > 0) {
    parts.push(`keeps firing ${formatAge(alert.keepFiringForSeconds).text} after the condition stops`);
  }
  return parts.length > 0 ? `Once firing, ${parts.join('; ')}` : null;
}
