// The catalog's burn inputs (core/alerts/burn-rate-rules.ts, `${SloId}Burn${Row}`) as PromQL: the smaller of
// the row's long- and short-window burn rates recorded by slo-recording-rules.ts, one series per objective
// (label `slo`). `(long <= short) or (short < long)` is that minimum — its value is the alert's $value — and
// is absent while either window is (no traffic), as the collector's rowBurn() is null then. So the
// generated alert is `min(long, short) > factor`: the workbook's "both windows burn faster than the factor".
import { type BurnInput, burnInputName } from '../../core/alerts/burn-rate-rules.ts';
import { burnRateAlertTable } from '../../core/slo/burn-rate-alerts.ts';
import { type SloDefinition, sloCatalog } from '../../core/slo/slo-catalog.ts';
import type { ValueInput } from './prom-inputs.ts';
import { sloBurnRateRecord, sloSeries } from './slo-recording-rules.ts';

export function burnPromInputs(
  slos: readonly SloDefinition[] = sloCatalog,
): Readonly<Record<BurnInput, ValueInput>> {
  const entries = slos.flatMap((slo) =>
    burnRateAlertTable.map((row) => {
      const long = sloSeries(sloBurnRateRecord(row.longWindow), slo);
      const short = sloSeries(sloBurnRateRecord(row.shortWindow), slo);
      const input: ValueInput = {
        kind: 'value',
        expr: `(${long} <= ${short}) or (${short} < ${long})`,
        perInstance: false,
      };
      return [burnInputName(slo.id, row.name), input] as const;
    }),
  );
  return Object.fromEntries(entries) as Record<BurnInput, ValueInput>;
}
