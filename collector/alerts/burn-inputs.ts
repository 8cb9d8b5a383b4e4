// The burn-rate rules' inputs from the SLOs' measured burn rates: per objective and row of the workbook's
// table, the smaller of its two windows' burns (rowBurn) — null while either window is unknown (no
// traffic, not kept, or no traffic source at all) or while the collector has counted for less than the
// row's short window — so the rule keeps its state as with any missing input.
import { type BurnInput, burnInputName } from '../../core/alerts/burn-rate-rules.ts';
import { burnRateAlertTable, rowBurn } from '../../core/slo/burn-rate-alerts.ts';
import { sloIds } from '../../core/slo/slo-catalog.ts';
import { burnWindows } from '../../core/slo/slo-windows.ts';
import type { SloBurnRates } from '../slo/slo-burns.ts';

/**
 * A row is judged once the collector has counted for at least its short window: before that (just after a
 * start) its windows hold minutes that the first requests — cold caches, compilation — dominate, and a
 * "1-day" burn over two minutes of data would open tickets for the start-up itself. `countedSeconds` null
 * (Prometheus answers): judged at once, as the generated Prometheus rules do.
 */
export function burnInputValues(
  rates: SloBurnRates | null,
  countedSeconds: number | null = null,
): Record<BurnInput, number | null> {
  const values = {} as Record<BurnInput, number | null>;
  for (const slo of sloIds) {
    for (const row of burnRateAlertTable) {
      const young = countedSeconds !== null && countedSeconds < burnWindows[row.shortWindow];
      values[burnInputName(slo, row.name)] = young ? null : rowBurn(row, rates?.[slo] ?? {});
    }
  }
  return values;
}
