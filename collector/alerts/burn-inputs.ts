// The burn-rate rules' inputs from the SLOs' measured burn rates: per objective and row of the workbook's
// table, the smaller of its two windows' burns (rowBurn) — null while either window is unknown (no
// traffic, not kept, or no traffic source at all), so the rule keeps its state as with any missing input.
import { type BurnInput, burnInputName } from '../../core/alerts/burn-rate-rules.ts';
import { burnRateAlertTable, rowBurn } from '../../core/slo/burn-rate-alerts.ts';
import { sloIds } from '../../core/slo/slo-catalog.ts';
import type { SloBurnRates } from '../slo/slo-burns.ts';

export function burnInputValues(rates: SloBurnRates | null): Record<BurnInput, number | null> {
  const values = {} as Record<BurnInput, number | null>;
  for (const slo of sloIds) {
    for (const row of burnRateAlertTable)
      values[burnInputName(slo, row.name)] = rowBurn(row, rates?.[slo] ?? {});
  }
  return values;
}
