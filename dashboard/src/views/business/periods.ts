// Shared by the Business view's charts and tables: how a period is labelled, and how axes and tooltips
// read money (integer cents in the platform currency) and ratios.
import type { KpiInterval } from '../../lib/api-types.ts';
import { formatCents, formatRatio } from '../../lib/format.ts';

/** "2026-05" for months, "2026-05-04" for weeks and days (the period's first day, UTC). */
export function periodLabel(periodStart: string, interval: KpiInterval): string {
  return interval === 'month' ? periodStart.slice(0, 7) : periodStart.slice(0, 10);
}

export function moneyText(cents: number | null, currency: string): string {
  return formatCents(cents, currency).text;
}

export function ratioText(ratio: number | null, digits = 1): string {
  return formatRatio(ratio, 'no data', digits).text;
}

/** An axis tick for cents, without decimals ("$1,200"). */
export function moneyTick(currency: string): (value: number | string) => string {
  return (value) =>
    new Intl.NumberFormat('en-US', { style: 'currency', currency, maximumFractionDigits: 0 }).format(
      Number(value) / 100,
    );
}

/** An axis tick for a ratio ("30 %"). */
export function ratioTick(value: number | string): string {
  return ratioText(Number(value), 0);
}
