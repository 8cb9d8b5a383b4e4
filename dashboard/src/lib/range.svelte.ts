// The time range and interval of the KPI views, read from and written to the URL: from (first day), to
// (periods start before it), interval. Defaults: the last 12 months, monthly.
import type { KpiInterval } from './api-types.ts';
import { route } from './router.svelte.ts';

function monthStart(offset: number): string {
  const now = new Date();
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + offset, 1)).toISOString().slice(0, 10);
}

export const intervals: readonly KpiInterval[] = ['day', 'week', 'month'];

export const range = {
  get from(): string {
    return route.get('from', monthStart(-11));
  },
  get to(): string {
    return route.get('to', monthStart(1));
  },
  get interval(): KpiInterval {
    const value = route.get('interval', 'month');
    return (intervals as readonly string[]).includes(value) ? (value as KpiInterval) : 'month';
  },
  /** The query string the KPI routes take. */
  get query(): string {
    return `from=${this.from}&to=${this.to}&interval=${this.interval}`;
  },
};
