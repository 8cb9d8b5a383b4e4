// Period arithmetic in UTC: aligning an instant down to its day, ISO week (Monday 00:00) or month, stepping
// to the next boundary, and listing the periods of a request (every whole period whose start s satisfies
// alignDown(from) <= s < to).
import type { KpiInterval } from './types.ts';

export interface Period {
  readonly start: Date;
  readonly end: Date;
}

const dayMs = 86_400_000;

export function alignDown(instant: Date, interval: KpiInterval): Date {
  const d = new Date(Date.UTC(instant.getUTCFullYear(), instant.getUTCMonth(), instant.getUTCDate()));
  if (interval === 'week') d.setUTCDate(d.getUTCDate() - ((d.getUTCDay() + 6) % 7));
  if (interval === 'month') d.setUTCDate(1);
  return d;
}

export function nextBoundary(start: Date, interval: KpiInterval, steps = 1): Date {
  const d = new Date(start);
  if (interval === 'month') d.setUTCMonth(d.getUTCMonth() + steps);
  else d.setTime(d.getTime() + steps * (interval === 'week' ? 7 : 1) * dayMs);
  return d;
}

/** How many periods `listPeriods` would return, computed without building them. */
export function countPeriods(from: Date, to: Date, interval: KpiInterval): number {
  const first = alignDown(from, interval);
  if (first >= to) return 0;
  if (interval === 'month') {
    const months =
      (to.getUTCFullYear() - first.getUTCFullYear()) * 12 + to.getUTCMonth() - first.getUTCMonth();
    return alignDown(to, 'month').getTime() === to.getTime() ? months : months + 1;
  }
  const length = (interval === 'week' ? 7 : 1) * dayMs;
  return Math.ceil((to.getTime() - first.getTime()) / length);
}

export function listPeriods(from: Date, to: Date, interval: KpiInterval): Period[] {
  const periods: Period[] = [];
  for (let start = alignDown(from, interval); start < to; start = nextBoundary(start, interval)) {
    periods.push({ start, end: nextBoundary(start, interval) });
  }
  return periods;
}
