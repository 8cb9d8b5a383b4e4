// Lifetime value: ARPPU ÷ the average monthly logo churn of the last 6 complete months. Withheld (null,
// with the reason) when a month rests on fewer than 30 pledgers at its start, or when churn averages 0
// (an unbounded lifetime is no estimate).
import type { KpiEngine } from './kpi-engine.ts';
import { alignDown, nextBoundary } from './periods.ts';

export const ltvMonths = 6;
export const ltvMinPledgersPerMonth = 30;

export interface LtvMonth {
  readonly periodStart: string;
  readonly pledgersAtStart: number;
  readonly churnedPledgers: number;
  readonly logoChurnRate: number | null;
}

export interface LtvReport {
  readonly asOf: string;
  readonly currency: string;
  readonly ltvCents: number | null;
  /** Why ltvCents is null; null when it is given. */
  readonly reason: string | null;
  readonly arppuCents: number | null;
  readonly averageMonthlyLogoChurn: number | null;
  /** Pledgers at the start of the months, summed: what the churn average rests on. */
  readonly sampleSize: number;
  readonly months: readonly LtvMonth[];
}

export async function ltvReport(engine: KpiEngine, asOf: Date, currency: string): Promise<LtvReport> {
  const to = alignDown(asOf, 'month');
  const from = nextBoundary(to, 'month', -ltvMonths);
  const report = await engine.reportParsed({ from, to, interval: 'month', asOf });
  const months = report.periods.map(({ periodStart, pledgersAtStart, churnedPledgers, logoChurnRate }) => ({
    periodStart,
    pledgersAtStart,
    churnedPledgers,
    logoChurnRate,
  }));
  const arppuCents = report.periods.at(-1)?.arppuCents ?? null;
  const sampleSize = months.reduce((total, month) => total + month.pledgersAtStart, 0);
  const base = { asOf: asOf.toISOString(), currency, arppuCents, sampleSize, months };

  const thin = months.find((month) => month.pledgersAtStart < ltvMinPledgersPerMonth);
  if (thin) {
    const reason =
      `sample too small: ${thin.periodStart.slice(0, 7)} began with ${thin.pledgersAtStart} pledgers ` +
      `(at least ${ltvMinPledgersPerMonth} a month are needed)`;
    return { ...base, ltvCents: null, reason, averageMonthlyLogoChurn: null };
  }
  const average = months.reduce((total, month) => total + (month.logoChurnRate ?? 0), 0) / months.length;
  if (average === 0 || arppuCents === null) {
    const reason =
      average === 0
        ? `no pledger churned in the last ${ltvMonths} months: lifetime cannot be estimated`
        : 'no pledgers';
    return { ...base, ltvCents: null, reason, averageMonthlyLogoChurn: average };
  }
  return { ...base, ltvCents: arppuCents / average, reason: null, averageMonthlyLogoChurn: average };
}
