// The data-quality note beside churn (issue 13): how many churn and contraction movements of the shown range
// rest on cancellation instants the legacy SQLite import estimated (the estimatedChurnMovements field of
// GET /api/kpis), and in which periods. Null when none do, so nothing is shown.
import type { KpiReport } from '../../lib/api-types.ts';
import { periodLabel } from './periods.ts';

export interface EstimatedChurn {
  /** Movements over the whole range. */
  readonly movements: number;
  /** The periods with at least one, as labelled in the charts. */
  readonly periods: readonly string[];
  readonly text: string;
}

/** Up to this many periods are named; beyond, they are counted. */
const namedPeriods = 3;

export function estimatedChurn(report: KpiReport, columnLabel: string): EstimatedChurn | null {
  const movements = report.periods.reduce((sum, period) => sum + period.estimatedChurnMovements, 0);
  if (movements === 0) return null;
  const periods = report.periods
    .filter((period) => period.estimatedChurnMovements > 0)
    .map((period) => periodLabel(period.periodStart, report.interval));
  const where = periods.length <= namedPeriods ? periods.join(', ') : `${periods.length} periods`;
  const subject =
    movements === 1
      ? `1 churn movement in this range (${where}) rests`
      : `${movements.toLocaleString('en-US')} churn movements in this range (${where}) rest`;
  return {
    movements,
    periods,
    text:
      `${subject} on estimated cancellation dates: the cancellations were imported from the old Pledgr SQLite ` +
      'file, which never recorded when a pledge was cancelled, so those pledgers may have churned or contracted ' +
      `earlier. See “${columnLabel}” per period in the table below.`,
  };
}
