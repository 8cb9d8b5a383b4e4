// The Overview's headline figures: the last two complete periods of the KPI report (a period is complete
// once it ended before the report's asOf) and the founder's tiles read from them.
import type { KpiInterval, KpiPeriod, KpiReport } from '../../lib/api-types.ts';

export interface CompletePeriods {
  readonly current: KpiPeriod | null;
  readonly previous: KpiPeriod | null;
}

export function lastTwoComplete(report: KpiReport): CompletePeriods {
  const asOf = Date.parse(report.asOf);
  const complete = report.periods.filter((period) => Date.parse(period.periodEnd) <= asOf);
  return { current: complete.at(-1) ?? null, previous: complete.at(-2) ?? null };
}

/** "October 2026", "week of 2026-11-16", "2026-11-23" (UTC). */
export function periodName(period: KpiPeriod, interval: KpiInterval): string {
  if (interval === 'day') return period.periodStart.slice(0, 10);
  if (interval === 'week') return `week of ${period.periodStart.slice(0, 10)}`;
  return new Date(period.periodStart).toLocaleDateString('en-US', {
    month: 'long',
    year: 'numeric',
    timeZone: 'UTC',
  });
}

/** The founder's headline KPIs, in the order shown. */
export const founderTiles = [
  'usersAtEnd',
  'registrations',
  'mrrEndCents',
  'conversionRate',
  'logoChurnRate',
  'arppuCents',
] as const satisfies readonly (keyof KpiPeriod)[];
